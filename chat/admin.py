from django.contrib import admin

from chat.models import ChatLog, ChatMessage, ChatSession


class ChatMessageInline(admin.TabularInline):
    model = ChatMessage
    fields = ["role", "content", "citations", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "workspace", "actor", "updated_at"]
    list_filter = ["workspace"]
    search_fields = ["id", "title", "actor"]
    inlines = [ChatMessageInline]


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ["session", "role", "created_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["content", "session__id"]
    readonly_fields = ["session", "role", "content", "citations", "created_at"]  # the history as it was said


@admin.register(ChatLog)
class ChatLogAdmin(admin.ModelAdmin):
    list_display = [
        "question",
        "workspace",
        "refused",
        "refusal_reason",
        "provider",
        "model",
        "tokens_in",
        "tokens_out",
        "rating",
        "created_at",
    ]
    list_filter = ["refused", "refusal_reason", "rating", "provider", "workspace", "created_at"]
    search_fields = ["question", "answer", "request_id", "actor", "rating_comment"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in ChatLog._meta.fields]
