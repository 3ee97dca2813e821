from django.contrib import admin

from exports.models import ExportJob


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
