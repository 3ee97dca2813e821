from django.contrib import admin

from core.admin import ReadOnlyAdmin
from retrieval.models import CorpusStat, TermStat

# Both kept exact by database triggers.


@admin.register(CorpusStat)
class CorpusStatAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "chunk_count", "total_length"]
    search_fields = ["workspace__id"]


@admin.register(TermStat)
class TermStatAdmin(ReadOnlyAdmin):
    list_display = ["lexeme", "workspace", "df"]
    list_filter = ["workspace"]
    search_fields = ["lexeme"]
