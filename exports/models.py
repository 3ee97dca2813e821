import uuid

from django.db import models

from workspaces.models import Workspace


class ExportType(models.TextChoices):
    CHAT_LOGS = "chat_logs", "Chat logs"
    AUDIT_LOGS = "audit_logs", "Audit logs"
    DOCUMENTS = "documents", "Documents"


class ExportFormat(models.TextChoices):
    JSONL = "jsonl", "JSON lines"
    CSV = "csv", "CSV"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """A persisted state machine: pending -> running -> succeeded | failed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="export_jobs")
    export_type = models.CharField(max_length=16, choices=ExportType.choices)
    format = models.CharField(max_length=8, choices=ExportFormat.choices, default=ExportFormat.JSONL)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    file_path = models.CharField(max_length=500, blank=True, help_text="Relative to EXPORT_STORAGE_DIR.")
    file_size = models.BigIntegerField(null=True, blank=True)
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    actor = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker was last asked to run it (pending jobs only)."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="exportjob_ws_created_idx"),
            models.Index(fields=["status", "started_at"], name="exportjob_status_started_idx"),
            models.Index(fields=["workspace", "status", "export_type"], name="exportjob_ws_filter_idx"),
        ]

    def __str__(self):
        return f"{self.export_type}.{self.format} ({self.status})"
