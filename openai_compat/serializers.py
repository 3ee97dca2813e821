"""What `/v1/chat/completions` accepts: the Chat Completions request, with the same limits as `/chat`."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chat.serializers import QUESTION_MAX_LENGTH
from core.fields import BooleanField, IntegerField, TextField

MAX_MESSAGES = 1000
MAX_MESSAGE_CHARACTERS = 100_000


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {
                "type": "array",
                "items": {"type": "object", "properties": {"type": {"type": "string"}, "text": {"type": "string"}}},
            },
        ]
    }
)
class MessageContentField(serializers.Field):
    """A message's content: a string, or a list of parts of which the text parts count."""

    default_error_messages = {"invalid": "Content must be a string or a list of text parts."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            return data
        if isinstance(data, list) and all(isinstance(part, dict) for part in data):
            texts = [part.get("text") for part in data if part.get("type") == "text"]
            if all(isinstance(text, str) for text in texts):
                return "\n".join(texts)
        self.fail("invalid")

    def to_representation(self, value):
        return value


class MessageSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["system", "developer", "user", "assistant", "tool"])
    content = MessageContentField(required=False, allow_null=True, default="")

    def validate_content(self, value):
        value = value or ""
        if len(value) > MAX_MESSAGE_CHARACTERS:
            raise serializers.ValidationError(f"A message may hold at most {MAX_MESSAGE_CHARACTERS:,} characters.")
        return value


class StreamOptionsSerializer(serializers.Serializer):
    include_usage = BooleanField(required=False, default=False)


class ChatCompletionRequestSerializer(serializers.Serializer):
    """`model` is a workspace id; the last message is the question, the earlier user and assistant
    turns its history. System prompts are not taken: the service answers from the documents only.
    Sampling parameters (temperature, max_tokens, ...) are accepted and ignored."""

    model = TextField(max_length=64)
    messages = MessageSerializer(many=True, allow_empty=False, max_length=MAX_MESSAGES)
    stream = BooleanField(required=False, default=False)
    stream_options = StreamOptionsSerializer(required=False, allow_null=True, default=None)
    n = IntegerField(required=False, min_value=1, max_value=1, default=1)

    def validate_messages(self, messages):
        last = messages[-1]
        if last["role"] != "user":
            raise serializers.ValidationError("The last message must be the user's question.")
        question = last["content"].strip()
        if not question:
            raise serializers.ValidationError("The last message (the question) is empty.")
        if len(question) > QUESTION_MAX_LENGTH:
            raise serializers.ValidationError(f"The question may hold at most {QUESTION_MAX_LENGTH} characters.")
        return messages

    @property
    def question(self) -> str:
        return self.validated_data["messages"][-1]["content"].strip()

    @property
    def history(self) -> list[tuple[str, str]]:
        """(role, content) of the earlier user and assistant turns, the most recent kept."""
        turns = [
            (message["role"], message["content"])
            for message in self.validated_data["messages"][:-1]
            if message["role"] in ("user", "assistant") and message["content"]
        ]
        return turns[-settings.CHAT_HISTORY_TURNS * 2 :]
