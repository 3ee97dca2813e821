"""The operator overview of a workspace, under /app/w/<workspace>/operations/."""

from django.urls import path

from operations import views

urlpatterns = [
    path("w/<str:workspace_id>/operations/", views.overview_page, name="app-operations"),
    path("w/<str:workspace_id>/operations/chat-logs/", views.chat_log_list_page, name="app-chat-logs"),
    path(
        "w/<str:workspace_id>/operations/chat-logs/<uuid:log_id>/",
        views.chat_log_detail_page,
        name="app-chat-log",
    ),
    path(
        "w/<str:workspace_id>/operations/chat-logs/<uuid:log_id>/question/",
        views.chat_log_question_page,
        name="app-chat-log-question",
    ),
    path("w/<str:workspace_id>/operations/audit/", views.audit_log_list_page, name="app-audit-logs"),
    path("w/<str:workspace_id>/operations/audit/<int:log_id>/", views.audit_log_detail_page, name="app-audit-log"),
    path("w/<str:workspace_id>/operations/exports/", views.export_job_list_page, name="app-export-jobs"),
    path("w/<str:workspace_id>/operations/exports/new/", views.export_job_create_page, name="app-export-create"),
    path("w/<str:workspace_id>/operations/exports/<uuid:job_id>/", views.export_job_page, name="app-export-job"),
    path(
        "w/<str:workspace_id>/operations/exports/<uuid:job_id>/download/",
        views.export_job_download_page,
        name="app-export-download",
    ),
    path(
        "w/<str:workspace_id>/operations/exports/<uuid:job_id>/retry/",
        views.export_job_retry_page,
        name="app-export-retry",
    ),
]
