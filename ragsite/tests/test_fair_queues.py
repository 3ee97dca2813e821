"""One workspace's bulk load does not hold up the others: with 5,000 documents of one workspace
queued for a real worker with the real local model, another workspace's one-document upload is
searchable within 10 s and an export job starts within 10 s. Workers as `manage.py serve` runs
them: one per lane, the bulk one at a lower CPU priority."""

import time

import pytest

from documents.models import Document, DocumentStatus, IndexLane, IndexRequest
from documents.services import DocumentInput, documents_upload
from exports.models import ExportJob, ExportStatus
from testing.processes import start_celery_worker, stop_process, wait_for
from workspaces.tests.factories import WorkspaceFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BULK_DOCUMENTS = 5000
PATIENCE_SECONDS = 10.0
REAL_MODEL = {"EMBEDDING_PROVIDER": "local"}


def abstract(number: int) -> str:
    sentences = [
        f"Study {number} followed {number * 7 % 900 + 100} patients for {number % 12 + 1} years.",
        "Treatment reduced the measured inflammation markers compared with placebo in most groups.",
        "Adverse events were mild and resolved without intervention during the follow-up period.",
        "The authors call for larger randomised trials before the therapy is used in practice.",
    ]
    return f"# Abstract {number}\n\n" + " ".join(sentences * 4)


def test_a_bulk_load_does_not_hold_up_another_workspaces_upload_or_an_export(
    client_for, editor_key, admin_key, other_workspace, tmp_path, settings
):
    settings.EXPORT_STORAGE_DIR = tmp_path / "exports"
    bulk_workspace = WorkspaceFactory(id="bulk-tenant")
    inputs = [DocumentInput(content=abstract(n), source_uri=f"abstract-{n}.md") for n in range(BULK_DOCUMENTS)]
    documents_upload(workspace=bulk_workspace, inputs=inputs)
    assert IndexRequest.objects.filter(workspace=bulk_workspace, lane=IndexLane.BULK).count() == BULK_DOCUMENTS

    workers = [
        start_celery_worker("interactive", **REAL_MODEL),
        start_celery_worker("bulk", nice=10, **REAL_MODEL),
        start_celery_worker("exports", "maintenance", EXPORT_STORAGE_DIR=str(settings.EXPORT_STORAGE_DIR)),
    ]
    try:
        # The bulk load is under way: its worker has the model loaded and documents completed.
        bulk_completed = Document.objects.filter(workspace=bulk_workspace, status=DocumentStatus.COMPLETED)
        assert wait_for(lambda: bulk_completed.exists(), timeout=120)

        started = time.monotonic()
        upload = client_for(editor_key, other_workspace).post(
            "/documents", {"title": "Runbook", "content": "# Runbook\n\nRestart the ingest service."}, format="json"
        )
        assert upload.status_code == 202, upload.content
        single = Document.objects.get(pk=upload.json()["id"])
        assert wait_for(
            lambda: Document.objects.filter(pk=single.pk, status=DocumentStatus.COMPLETED).exists(),
            timeout=PATIENCE_SECONDS,
        ), f"the single document was still {Document.objects.get(pk=single.pk).status} after {PATIENCE_SECONDS} s"
        single_seconds = time.monotonic() - started

        started = time.monotonic()
        job = client_for(admin_key, other_workspace).post(
            "/exports/jobs", {"export_type": "documents", "format": "jsonl"}, format="json"
        )
        assert job.status_code == 201, job.content
        assert wait_for(
            lambda: ExportJob.objects.filter(pk=job.json()["id"]).exclude(status=ExportStatus.PENDING).exists(),
            timeout=PATIENCE_SECONDS,
        ), f"the export job was still pending after {PATIENCE_SECONDS} s"
        export_seconds = time.monotonic() - started

        still_waiting = IndexRequest.objects.filter(workspace=bulk_workspace).count()
    finally:
        for worker in workers:
            stop_process(worker)

    # All of that while the bulk load had most of its way to go.
    assert still_waiting > BULK_DOCUMENTS / 2, still_waiting
    print(f"single document {single_seconds:.1f} s, export started {export_seconds:.1f} s, {still_waiting} waiting")
    found = client_for(editor_key, other_workspace).post("/search", {"query": "restart ingest"}, format="json")
    assert [result["document_id"] for result in found.json()["results"]] == [str(single.pk)]
