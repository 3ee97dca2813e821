from rest_framework import serializers

from audit.models import AuditLog


class AuditLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = ["id", "action", "actor", "request_id", "workspace_ids", "reason", "metadata", "created_at"]


class AuditLogFilterSerializer(serializers.Serializer):
    """Filters within one workspace; also what an audit_logs export job accepts."""

    action = serializers.CharField(required=False, max_length=64)
    actor = serializers.CharField(required=False, max_length=200)
    request_id = serializers.CharField(required=False, max_length=128)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


class AuditLogQuerySerializer(AuditLogFilterSerializer):
    workspace_id = serializers.CharField(required=False, max_length=64)
