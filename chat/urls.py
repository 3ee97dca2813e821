from django.urls import path

from chat import api

urlpatterns = [
    path("chat", api.ChatApi.as_view(), name="chat"),
    path("chat/stream", api.ChatStreamApi.as_view(), name="chat-stream"),
    path("chat/sessions", api.ChatSessionListApi.as_view(), name="chat-session-list"),
    path("chat/sessions/<uuid:session_id>", api.ChatSessionDetailApi.as_view(), name="chat-session-detail"),
    path("chat/logs", api.ChatLogListApi.as_view(), name="chat-log-list"),
    path("chat/logs/export", api.ChatLogExportApi.as_view(), name="chat-log-export"),
    path("chat/logs/<uuid:log_id>", api.ChatLogDetailApi.as_view(), name="chat-log-detail"),
    path("chat/logs/<uuid:log_id>/feedback", api.ChatLogFeedbackApi.as_view(), name="chat-log-feedback"),
]
