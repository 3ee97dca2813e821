from django.contrib import admin, messages

from workspaces.models import ApiKey, Membership, Workspace
from workspaces.services import ARCHIVE, RESTORE, api_key_create, api_key_revoke, workspaces_bulk_change


def admin_actor(request) -> str:
    """How audit rows name a person using the admin."""
    return f"user:{request.user.get_username()}"


class ArchivedFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("archived", "Archived")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(archived_at__isnull=True)
        if self.value() == "archived":
            return queryset.filter(archived_at__isnull=False)
        return queryset


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "search_language", "archived_at", "created_at"]
    list_filter = [ArchivedFilter, "search_language", "created_at"]
    search_fields = ["id", "name", "description"]
    # Written by `manage.py tune` (checked there) and reset from the workspace page, not typed here.
    readonly_fields = ["retrieval_settings", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    actions = ["archive_selected", "restore_selected"]
    inlines = [MembershipInline]

    @admin.action(description="Archive selected workspaces")
    def archive_selected(self, request, queryset):
        self._bulk_change(request, queryset, ARCHIVE)

    @admin.action(description="Restore selected workspaces")
    def restore_selected(self, request, queryset):
        self._bulk_change(request, queryset, RESTORE)

    def _bulk_change(self, request, queryset, action):
        result = workspaces_bulk_change(
            action=action,
            workspace_ids=list(queryset.values_list("pk", flat=True)),
            reachable=Workspace.objects.all(),
            actor=admin_actor(request),
            reason=f"{action} from the admin",
        )
        self.message_user(request, f"{action.title()}: {result['changed']} changed, {result['unchanged']} unchanged.")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "role", "workspace", "revoked_at", "last_used_at", "created_at"]
    list_filter = ["role", ("revoked_at", admin.EmptyFieldListFilter), "workspace"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "key_hash", "last_used_at", "created_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # New keys are made by the service so the raw key is shown once and only its hash is kept.
        api_key, raw_key = api_key_create(
            name=obj.name, role=obj.role, workspace=obj.workspace, actor=admin_actor(request)
        )
        obj.pk = api_key.pk
        messages.warning(request, f"Copy this key now; it is not shown again: {raw_key}")

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True))
        for api_key in keys:
            api_key_revoke(api_key=api_key, actor=admin_actor(request))
        self.message_user(request, f"Revoked {len(keys)} key(s).")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "workspace"]
    search_fields = ["user__username", "user__email", "workspace__id", "workspace__name"]
    autocomplete_fields = ["user", "workspace"]
