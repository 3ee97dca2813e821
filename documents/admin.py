from django.contrib import admin, messages
from django.db.models import Count

from documents.indexing import documents_request_index
from documents.models import Chunk, Document
from documents.selectors import documents_awaiting_reindex, documents_stuck
from documents.services import document_edit
from workspaces.admin import admin_actor


def awaiting_reindex_count(request) -> int:
    """Counted once per page, for both the filter's label and the warning."""
    if not hasattr(request, "_awaiting_reindex_count"):
        request._awaiting_reindex_count = documents_awaiting_reindex().count()
    return request._awaiting_reindex_count


class AwaitingReindexFilter(admin.SimpleListFilter):
    """Completed documents made with another embedding model, with their count."""

    title = "index"
    parameter_name = "index"

    def lookups(self, request, model_admin):
        return [
            ("stale", f"Awaiting reindex ({awaiting_reindex_count(request)})"),
            ("current", "Current"),
        ]

    def queryset(self, request, queryset):
        stale = documents_awaiting_reindex().values("pk")
        if self.value() == "stale":
            return queryset.filter(pk__in=stale)
        if self.value() == "current":
            return queryset.exclude(pk__in=stale)
        return queryset


class StuckFilter(admin.SimpleListFilter):
    """Documents pending or processing past DOCUMENT_STUCK_SECONDS (their task was lost), with their count;
    the beat sweep queues them again."""

    title = "progress"
    parameter_name = "progress"

    def lookups(self, request, model_admin):
        return [("stuck", f"Stuck ({documents_stuck().count()})")]

    def queryset(self, request, queryset):
        if self.value() == "stuck":
            return queryset.filter(pk__in=documents_stuck().values("pk"))
        return queryset


class ChunkInline(admin.TabularInline):
    model = Chunk
    fields = ["ordinal", "heading_path", "token_count", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "workspace", "status", "embedding_model", "chunk_count", "updated_at"]
    list_filter = [AwaitingReindexFilter, StuckFilter, "status", "workspace", "embedding_model"]
    search_fields = ["title", "source_uri", "content_hash"]
    # Status, hashes and statistics come from indexing, never from a hand; content edits are re-indexed.
    readonly_fields = [
        "workspace",
        "source_uri",
        "status",
        "error",
        "content_hash",
        "embedding_model",
        "embedding_dimension",
        "indexed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [ChunkInline]
    actions = ["reindex_selected"]

    def has_add_permission(self, request):
        # Documents arrive by upload (web app, API) or `manage.py ingest`, which check and index them.
        return False

    def save_model(self, request, obj, form, change):
        document_edit(
            document=obj,
            title=obj.title,
            content=obj.content,
            metadata=obj.metadata,
            actor=admin_actor(request),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(chunk_total=Count("chunks"))

    @admin.action(description="Reindex selected documents (they stay searchable meanwhile)")
    def reindex_selected(self, request, queryset):
        count = documents_request_index(document_ids=queryset.values_list("pk", flat=True), actor=admin_actor(request))
        self.message_user(request, f"{count} document(s) queued for reindexing.")

    def changelist_view(self, request, extra_context=None):
        stale = awaiting_reindex_count(request)
        if stale:
            messages.warning(
                request,
                f"{stale} document(s) await reindexing with the current embedding model; "
                "`manage.py reindex --stale` brings them up to date while search keeps finding them by keyword.",
            )
        return super().changelist_view(request, extra_context)

    @admin.display(ordering="chunk_total", description="chunks")
    def chunk_count(self, obj):
        return obj.chunk_total


@admin.register(Chunk)
class ChunkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "document", "workspace", "ordinal", "token_count"]
    list_filter = ["workspace"]
    search_fields = ["text", "content_hash", "document__title"]
    exclude = ["embedding", "search_vector"]
    readonly_fields = ["document", "workspace", "ordinal", "heading_path", "text", "token_count", "content_hash"]
    list_select_related = ["document"]
