from django.contrib import admin
from django.db.models import Count

from documents.models import Chunk, Document


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
    list_filter = ["status", "workspace", "embedding_model"]
    search_fields = ["title", "source_uri", "content_hash"]
    readonly_fields = [
        "content_hash",
        "embedding_model",
        "embedding_dimension",
        "indexed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [ChunkInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(chunk_total=Count("chunks"))

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
