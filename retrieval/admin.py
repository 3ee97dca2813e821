from django.contrib import admin

from retrieval.models import CorpusStat, TermStat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Statistics kept exact by database triggers: to look at, never to edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CorpusStat)
class CorpusStatAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "chunk_count", "total_length"]
    search_fields = ["workspace__id"]


@admin.register(TermStat)
class TermStatAdmin(ReadOnlyAdmin):
    list_display = ["lexeme", "workspace", "df"]
    list_filter = ["workspace"]
    search_fields = ["lexeme"]
