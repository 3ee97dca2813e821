from rest_framework import serializers

from chat.models import ChatLog, ChatMessage, ChatSession, Rating
from core.fields import TextField

QUESTION_MAX_LENGTH = 4000


class ChatRequestSerializer(serializers.Serializer):
    question = TextField(max_length=QUESTION_MAX_LENGTH, trim_whitespace=True)
    session_id = serializers.UUIDField(required=False, allow_null=True)
    workspace_id = TextField(required=False, max_length=64)
    project_id = TextField(required=False, max_length=64)
    user_id = TextField(required=False, max_length=200)
    evidence_types = serializers.ListField(child=TextField(max_length=100), required=False, max_length=50)
    filters = serializers.DictField(required=False)


class CitationSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    chunk_id = serializers.IntegerField()
    document_id = serializers.UUIDField()
    title = serializers.CharField()
    heading_path = serializers.ListField(child=serializers.CharField())
    quote = serializers.CharField(required=False, help_text="The cited passage's text (its first 500 characters).")


class ChatAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    citations = CitationSerializer(many=True)
    refused = serializers.BooleanField()
    refusal_reason = serializers.CharField(allow_blank=True)
    session_id = serializers.UUIDField(allow_null=True)
    chat_log_id = serializers.UUIDField()
    request_id = serializers.CharField()
    rewritten_query = serializers.CharField(allow_blank=True)
    retrieved_chunk_ids = serializers.ListField(child=serializers.IntegerField())
    usage = serializers.DictField()
    latency_ms = serializers.DictField()
    invalid_citations = serializers.IntegerField()


class ChatSessionCreateSerializer(serializers.Serializer):
    title = TextField(required=False, allow_blank=True, max_length=200, default="")


class ChatFeedbackSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = TextField(required=False, allow_blank=True, max_length=2000, default="")


class ChatMessageSerializer(serializers.ModelSerializer):
    chat_log_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = ChatMessage
        fields = ["id", "role", "content", "citations", "chat_log_id", "created_at"]


class ChatSessionSerializer(serializers.ModelSerializer):
    workspace_id = serializers.CharField(read_only=True)

    class Meta:
        model = ChatSession
        fields = ["id", "workspace_id", "title", "created_at", "updated_at"]


class ChatSessionDetailSerializer(ChatSessionSerializer):
    messages = ChatMessageSerializer(many=True, read_only=True)

    class Meta(ChatSessionSerializer.Meta):
        fields = [*ChatSessionSerializer.Meta.fields, "messages"]


class ChatLogSerializer(serializers.ModelSerializer):
    workspace_id = serializers.CharField(read_only=True)
    session_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = ChatLog
        fields = [
            "id",
            "workspace_id",
            "session_id",
            "request_id",
            "actor",
            "question",
            "rewritten_query",
            "answer",
            "citations",
            "refused",
            "refusal_reason",
            "provider",
            "model",
            "latency_ms",
            "tokens_in",
            "tokens_out",
            "cost_usd",
            "retrieved_chunk_ids",
            "invalid_citations",
            "error_code",
            "error",
            "rating",
            "rating_comment",
            "rated_by",
            "rated_at",
            "created_at",
        ]


class ChatLogFilterSerializer(serializers.Serializer):
    """The filters of chat_log_list; also what a chat_logs export job accepts."""

    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    refused = serializers.BooleanField(required=False, allow_null=True, default=None)
    refusal_reason = serializers.CharField(required=False, max_length=32)
    rating = serializers.ChoiceField(choices=["up", "down", "rated", "unrated"], required=False)
    session_id = serializers.UUIDField(required=False)
    request_id = serializers.CharField(required=False, max_length=128)
    q = serializers.CharField(required=False, max_length=200)


class ChatLogQuerySerializer(ChatLogFilterSerializer):
    format = serializers.ChoiceField(choices=["jsonl", "csv"], required=False, default="jsonl")
