from dataclasses import asdict

from rest_framework import serializers

from core.fields import BooleanField, FloatField, IntegerField, TextField


class SearchRequestSerializer(serializers.Serializer):
    query = TextField(max_length=4000, trim_whitespace=True)
    workspace_id = TextField(required=False, max_length=64)
    project_id = TextField(required=False, max_length=64, help_text="Alias of workspace_id.")
    user_id = TextField(required=False, max_length=200, help_text="Recorded, not used for access.")
    limit = IntegerField(required=False, default=10, min_value=1, max_value=100)
    evidence_types = serializers.ListField(child=TextField(max_length=100), required=False, max_length=50)
    filters = serializers.DictField(required=False, help_text="document_ids, tags, or exact metadata matches.")
    min_similarity = FloatField(required=False, min_value=-1.0, max_value=1.0)
    mode = serializers.ChoiceField(choices=["hybrid", "vector", "keyword"], required=False, default="hybrid")
    rerank = BooleanField(required=False, default=True)
    group_by_document = BooleanField(
        required=False, default=False, help_text="Also answer `documents`: the results grouped by document, best first."
    )


class StageScoresSerializer(serializers.Serializer):
    vector_rank = serializers.IntegerField(allow_null=True)
    vector_similarity = serializers.FloatField(allow_null=True)
    keyword_rank = serializers.IntegerField(allow_null=True)
    keyword_score = serializers.FloatField(allow_null=True)
    keyword_bm25 = serializers.FloatField(allow_null=True)
    fused_rank = serializers.IntegerField(allow_null=True)
    fused_score = serializers.FloatField(allow_null=True)
    fusion_vector_part = serializers.FloatField(allow_null=True, help_text="convex/adaptive: normalised vector score.")
    fusion_keyword_part = serializers.FloatField(allow_null=True, help_text="convex/adaptive: normalised BM25.")
    fusion_alpha = serializers.FloatField(allow_null=True, help_text="convex/adaptive: the vector leg's share.")
    rerank_rank = serializers.IntegerField(allow_null=True)
    rerank_score = serializers.FloatField(allow_null=True)
    rerank_fused_score = serializers.FloatField(allow_null=True, help_text="RERANK_MODE=fuse: the order served.")


class ChunkSerializer(serializers.Serializer):
    chunk_id = serializers.IntegerField(source="pk")
    document_id = serializers.UUIDField()
    title = serializers.CharField(source="document.title")
    source_uri = serializers.CharField(source="document.source_uri")
    metadata = serializers.JSONField(source="document.metadata")
    ordinal = serializers.IntegerField()
    heading_path = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()
    token_count = serializers.IntegerField()


class SearchResultSerializer(ChunkSerializer):
    rank = serializers.IntegerField()
    scores = StageScoresSerializer()

    def to_representation(self, result):
        return {**ChunkSerializer(result.chunk).data, "rank": result.rank, "scores": asdict(result.scores)}


class DocumentHitSerializer(serializers.Serializer):
    document_id = serializers.UUIDField()
    title = serializers.CharField()
    source_uri = serializers.CharField()
    score = serializers.FloatField(help_text="Its best chunk's score plus DOCUMENT_NEXT_CHUNK_SHARE of its second's.")
    chunk_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Its chunks among `results`.")


class SearchResponseSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)
    documents = DocumentHitSerializer(many=True, required=False, help_text="With group_by_document only.")
    total_results = serializers.IntegerField()
    request = serializers.DictField()
    timings_ms = serializers.DictField()


class ContextRequestSerializer(serializers.Serializer):
    chunk_id = IntegerField(min_value=1)
    context_window = IntegerField(required=False, default=1, min_value=0, max_value=20)
    workspace_id = TextField(required=False, max_length=64)
    project_id = TextField(required=False, max_length=64)


class ContextResponseSerializer(serializers.Serializer):
    chunk = ChunkSerializer()
    context_before = ChunkSerializer(many=True)
    context_after = ChunkSerializer(many=True)
