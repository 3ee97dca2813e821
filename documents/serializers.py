from rest_framework import serializers

from documents.models import Document, DocumentStatus


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


class DocumentListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DocumentStatus.choices, required=False)
