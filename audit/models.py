from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class AuditLog(models.Model):
    """One row per operator or admin action, written in the action's transaction."""

    action = models.CharField(max_length=64)
    actor = models.CharField(max_length=200, help_text="Hashed key id or user.")
    request_id = models.CharField(max_length=128, blank=True)
    workspace_ids = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    reason = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["action", "-created_at"], name="auditlog_action_idx"),
            models.Index(fields=["request_id"], name="auditlog_request_idx"),
            GinIndex(fields=["workspace_ids"], name="auditlog_workspaces_gin"),
        ]

    def __str__(self):
        return f"{self.action} by {self.actor}"
