from django.urls import path

from documents import api

urlpatterns = [
    path("stats", api.StatsApi.as_view(), name="stats"),
    path("documents", api.DocumentListApi.as_view(), name="document-list"),
    path("documents/reindex", api.WorkspaceReindexApi.as_view(), name="document-reindex-all"),
    path("documents/<uuid:document_id>", api.DocumentDetailApi.as_view(), name="document-detail"),
    path("documents/<uuid:document_id>/reindex", api.DocumentReindexApi.as_view(), name="document-reindex"),
]
