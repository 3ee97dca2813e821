from rest_framework import serializers

from core.fields import BooleanField, TextField
from documents.models import Document, DocumentStatus
from documents.rules import DocumentRejected, check_content


class DocumentSerializer(serializers.ModelSerializer):
    workspace_id = serializers.CharField(read_only=True)
    chunk_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "workspace_id",
            "title",
            "source_uri",
            "metadata",
            "content_hash",
            "status",
            "error",
            "embedding_model",
            "embedding_dimension",
            "chunk_count",
            "indexed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DocumentWithContentSerializer(DocumentSerializer):
    """A document with its Markdown, for callers who read the whole text (the MCP tool `fetch_document`)."""

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "content"]
        read_only_fields = fields


class DocumentListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DocumentStatus.choices, required=False)


class DocumentCreateSerializer(serializers.Serializer):
    title = TextField(required=False, allow_blank=True, max_length=500)
    content = TextField(required=False, trim_whitespace=False, allow_blank=True)
    source_uri = TextField(
        required=False, allow_blank=True, max_length=1000, help_text="Sending the same source again updates it."
    )
    metadata = serializers.JSONField(required=False, help_text="A JSON object: tags, evidence_type, anything.")
    files = serializers.ListField(child=serializers.FileField(), required=False, write_only=True)

    def validate(self, data):
        try:
            check_content(data.get("content") or "")
        except DocumentRejected as rejected:
            raise serializers.ValidationError({"content": [rejected.message]}) from None
        return data


class ReindexRequestSerializer(serializers.Serializer):
    only_stale = BooleanField(
        required=False, default=False, help_text="Only documents of another embedding model, or not completed."
    )
