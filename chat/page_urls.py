"""The chat pages, under /app/w/<workspace>/chat/."""

from django.urls import path

from chat import views

urlpatterns = [
    path("w/<str:workspace_id>/chat/", views.chat_page, name="app-chat"),
    path("w/<str:workspace_id>/chat/ask/", views.chat_ask_page, name="app-chat-ask"),
    path("w/<str:workspace_id>/chat/<uuid:session_id>/", views.chat_page, name="app-chat-session"),
    path("w/<str:workspace_id>/chat/<uuid:session_id>/rename/", views.chat_rename_page, name="app-chat-rename"),
    path("w/<str:workspace_id>/chat/<uuid:session_id>/delete/", views.chat_delete_page, name="app-chat-delete"),
    path("w/<str:workspace_id>/chat/answers/<uuid:log_id>/", views.chat_answer_fragment, name="app-chat-answer"),
    path(
        "w/<str:workspace_id>/chat/answers/<uuid:log_id>/feedback/",
        views.chat_feedback_page,
        name="app-chat-feedback",
    ),
]
