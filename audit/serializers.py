from collections.abc import Iterator

from django.db.models import QuerySet
from rest_framework import serializers

from audit.models import AuditLog
from exports.formats import ROW_CHUNK_SIZE


class AuditLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = ["id", "action", "actor", "request_id", "workspace_ids", "reason", "metadata", "created_at"]


def audit_log_rows(logs: QuerySet[AuditLog]) -> Iterator[dict]:
    """Each row as an export row (the fields of AuditLogSerializer), read from the database in chunks."""
    return (AuditLogSerializer(log).data for log in logs.iterator(chunk_size=ROW_CHUNK_SIZE))


class AuditLogFilterSerializer(serializers.Serializer):
    """Filters within one workspace; also what an audit_logs export job accepts."""

    action = serializers.CharField(required=False, max_length=64)
    request_id = serializers.CharField(required=False, max_length=128)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


class AuditLogQuerySerializer(AuditLogFilterSerializer):
    workspace_id = serializers.CharField(required=False, max_length=64)
