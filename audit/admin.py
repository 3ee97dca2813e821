from django.contrib import admin

from audit.models import AuditLog
from core.admin import ReadOnlyAdmin


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["action", "actor", "workspace_ids", "request_id", "created_at"]
    list_filter = ["action", "created_at"]
    search_fields = ["action", "actor", "request_id", "reason"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in AuditLog._meta.fields]
