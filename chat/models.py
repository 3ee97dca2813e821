import uuid

from django.db import models

from workspaces.models import Workspace


class ChatSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="chat_sessions")
    title = models.CharField(max_length=200, blank=True)
    actor = models.CharField(max_length=200, blank=True, help_text="Hashed key id or user that opened it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["workspace", "-updated_at"], name="chatsession_ws_updated_idx")]

    def __str__(self):
        return self.title or str(self.id)


class MessageRole(models.TextChoices):
    USER = "user", "User"
    ASSISTANT = "assistant", "Assistant"


class ChatMessage(models.Model):
    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=16, choices=MessageRole.choices)
    content = models.TextField()
    citations = models.JSONField(default=list, blank=True)
    chat_log = models.ForeignKey(
        "ChatLog",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        help_text="The log of the answer this message is (assistant messages): what its rating is stored on.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["session", "created_at"], name="chatmessage_session_idx")]

    def __str__(self):
        return f"{self.role}: {self.content[:60]}"


class Rating(models.TextChoices):
    UP = "up", "Helpful"
    DOWN = "down", "Not helpful"


class ChatLog(models.Model):
    """One row per answered, refused or failed question."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="chat_logs")
    session = models.ForeignKey(ChatSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs")
    request_id = models.CharField(max_length=128, blank=True)
    actor = models.CharField(max_length=200, blank=True, help_text="Hashed key id or user.")
    question = models.TextField()
    rewritten_query = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    citations = models.JSONField(default=list, blank=True)
    refused = models.BooleanField(default=False)
    refusal_reason = models.CharField(max_length=32, blank=True)
    provider = models.CharField(max_length=64, blank=True)
    model = models.CharField(max_length=200, blank=True)
    latency_ms = models.JSONField(default=dict, blank=True, help_text="Milliseconds per stage.")
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    retrieved_chunk_ids = models.JSONField(default=list, blank=True)
    invalid_citations = models.PositiveIntegerField(default=0, help_text="Markers citing no given passage (dropped).")
    error_code = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True, help_text="The asker's feedback.")
    rating_comment = models.TextField(blank=True)
    rated_by = models.CharField(max_length=200, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="chatlog_ws_created_idx"),
            models.Index(fields=["workspace", "refusal_reason"], name="chatlog_ws_reason_idx"),
            models.Index(fields=["request_id"], name="chatlog_request_idx"),
            models.Index(fields=["workspace", "rating"], name="chatlog_ws_rating_idx"),
        ]

    def __str__(self):
        return self.question[:80]
