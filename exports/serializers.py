from rest_framework import serializers

from core.fields import TextField
from exports.models import ExportFormat, ExportJob, ExportStatus, ExportType


class ExportJobSerializer(serializers.ModelSerializer):
    workspace_id = serializers.CharField(read_only=True)
    file_available = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "workspace_id",
            "export_type",
            "format",
            "filters",
            "status",
            "attempts",
            "error",
            "file_size",
            "file_available",
            "file_deleted_at",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_file_available(self, job: ExportJob) -> bool:
        return job.status == ExportStatus.SUCCEEDED and job.file_deleted_at is None


class ExportJobCreateSerializer(serializers.Serializer):
    export_type = serializers.ChoiceField(choices=ExportType.choices)
    format = serializers.ChoiceField(choices=ExportFormat.choices, required=False, default=ExportFormat.JSONL)
    filters = serializers.JSONField(
        required=False,
        default=dict,
        help_text="A JSON object of filters for the export type. chat_logs: since, until, refused, "
        "refusal_reason, rating, session_id, request_id, q. audit_logs: action, actor, request_id, since, until. "
        "documents: status.",
    )
    workspace_id = TextField(required=False, max_length=64)
    project_id = TextField(required=False, max_length=64)


class ExportJobQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ExportStatus.choices, required=False)
    export_type = serializers.ChoiceField(choices=ExportType.choices, required=False)
