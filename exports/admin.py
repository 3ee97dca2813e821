from django.contrib import admin, messages

from core.errors import Conflict
from exports.models import ExportJob
from exports.services import export_job_retry


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "workspace", "export_type", "format", "status", "attempts", "file_size", "created_at"]
    list_filter = ["status", "export_type", "format", "workspace"]
    search_fields = ["id", "actor", "request_id", "error"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "attempts",
        "file_path",
        "file_size",
        "file_deleted_at",
        "started_at",
        "finished_at",
        "created_at",
        "updated_at",
    ]
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        # Jobs come from the API, which validates filters, audits and queues them; a row added here would never run.
        return False

    @admin.action(description="Retry selected failed jobs")
    def retry_failed(self, request, queryset):
        actor = f"user:{request.user.get_username()}"
        retried = skipped = 0
        for job in queryset:
            try:
                export_job_retry(job=job, actor=actor)
                retried += 1
            except Conflict:  # not failed (or retried by someone else meanwhile)
                skipped += 1
        self.message_user(request, f"Queued {retried} failed job(s) again.")
        if skipped:
            self.message_user(request, f"Skipped {skipped} job(s) that had not failed.", level=messages.WARNING)
