"""What each export type reads: its filters, its columns and its rows.

The rows come from the same selectors and serializers as the list endpoints,
so an export holds exactly what the API shows.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from rest_framework import serializers

from audit.selectors import audit_log_list
from audit.serializers import AuditLogFilterSerializer, AuditLogSerializer
from chat.selectors import chat_log_list
from chat.serializers import ChatLogFilterSerializer, ChatLogSerializer
from core.formats import serialized_rows
from documents.selectors import document_list
from documents.serializers import DocumentListQuerySerializer, DocumentSerializer
from exports.models import ExportType
from workspaces.models import Workspace


@dataclass(frozen=True)
class ExportSource:
    """A list endpoint's filters, its selector (workspace, filters -> queryset) and its serializer."""

    filter_serializer: type[serializers.Serializer]
    serializer: type[serializers.ModelSerializer]
    queryset: Callable[[Workspace, dict], QuerySet]

    @property
    def fields(self) -> Sequence[str]:
        return self.serializer.Meta.fields

    def rows(self, workspace: Workspace, filters: dict) -> Iterator[dict]:
        """The rows as the list endpoint shows them, read lazily."""
        return serialized_rows(self.queryset(workspace, filters), self.serializer)


SOURCES = {
    ExportType.CHAT_LOGS: ExportSource(
        filter_serializer=ChatLogFilterSerializer,
        serializer=ChatLogSerializer,
        queryset=lambda workspace, filters: chat_log_list(workspace=workspace, filters=filters),
    ),
    ExportType.AUDIT_LOGS: ExportSource(
        filter_serializer=AuditLogFilterSerializer,
        serializer=AuditLogSerializer,
        queryset=lambda workspace, filters: audit_log_list(filters=filters, workspace_scope=[workspace.pk]),
    ),
    ExportType.DOCUMENTS: ExportSource(
        filter_serializer=DocumentListQuerySerializer,
        serializer=DocumentSerializer,
        queryset=lambda workspace, filters: document_list(workspace=workspace, status=filters.get("status")),
    ),
}


def export_filters_clean(*, export_type: str, filters) -> dict:
    """Validate a job's filters for its type; the JSON-safe form to store.

    Unknown names are refused rather than ignored: a mistyped filter would
    otherwise export everything.
    """
    if not isinstance(filters, dict):
        raise ValidationError({"filters": ["Must be a JSON object."]})
    filter_serializer = SOURCES[export_type].filter_serializer(data=filters)
    unknown = sorted(set(filters) - set(filter_serializer.fields))
    if unknown:
        allowed = ", ".join(filter_serializer.fields)
        raise ValidationError(
            {"filters": [f"Unknown filter(s) for {export_type}: {', '.join(unknown)}. Allowed: {allowed}."]}
        )
    if not filter_serializer.is_valid():
        problems = [f"{name}: {' '.join(map(str, errors))}" for name, errors in filter_serializer.errors.items()]
        raise ValidationError({"filters": problems})
    cleaned = {name: value for name, value in filter_serializer.validated_data.items() if value is not None}
    return {name: _json_value(value) for name, value in cleaned.items()}


def export_rows(*, export_type: str, workspace: Workspace, filters: dict) -> tuple[Sequence[str], Iterator[dict]]:
    """The columns and the lazily read rows of one export. Stored filters are
    validated again, which turns them back into dates, uuids and booleans."""
    source = SOURCES[export_type]
    filter_serializer = source.filter_serializer(data=filters)
    filter_serializer.is_valid(raise_exception=True)
    return source.fields, source.rows(workspace, filter_serializer.validated_data)


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()  # full precision, unlike DjangoJSONEncoder's milliseconds
    if isinstance(value, UUID):
        return str(value)
    return value
