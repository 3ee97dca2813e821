from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the product itself (audit records, statistics): to look at, never to edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
