from rest_framework import serializers

from audit.models import AuditLog


class AuditLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = ["id", "action", "actor", "request_id", "workspace_ids", "reason", "metadata", "created_at"]


class AuditLogQuerySerializer(serializers.Serializer):
    action = serializers.CharField(required=False, max_length=64)
    workspace_id = serializers.CharField(required=False, max_length=64)
    request_id = serializers.CharField(required=False, max_length=128)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
