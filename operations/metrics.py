"""The sources of /metrics' gauges of stored state (core.metrics.StateCollector).

core cannot read the apps' rows, so this layer, above every app, hands it one function
per gauge. Each is one aggregate query over an indexed column, every status present
(a zero too), so a rule like `rag_documents{status="failed"} > 0` has a series to read.
"""

from django.db.models import Count, Q

from core.metrics import register_state_source
from documents.models import Document, DocumentStatus
from documents.selectors import documents_stuck
from exports.models import ExportJob, ExportStatus


def documents_by_status() -> dict[tuple[str, ...], float]:
    counts = Document.objects.aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in DocumentStatus.values}
    )
    return {(status,): float(counts[status]) for status in DocumentStatus.values}


def stuck_documents() -> dict[tuple[str, ...], float]:
    return {(): float(documents_stuck().count())}


def export_jobs_by_status() -> dict[tuple[str, ...], float]:
    counts = ExportJob.objects.aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in ExportStatus.values}
    )
    return {(status,): float(counts[status]) for status in ExportStatus.values}


def register_state_sources() -> None:
    register_state_source("rag_documents", documents_by_status)
    register_state_source("rag_documents_stuck", stuck_documents)
    register_state_source("rag_export_jobs", export_jobs_by_status)
