"""The web app's document pages, under /app/w/<workspace>/documents/."""

from django.urls import path

from documents import views

urlpatterns = [
    path("w/<str:workspace_id>/documents/", views.document_list_page, name="app-documents"),
    path("w/<str:workspace_id>/documents/upload/", views.document_upload_page, name="app-document-upload"),
    path("w/<str:workspace_id>/documents/reindex/", views.workspace_reindex_page, name="app-documents-reindex"),
    path("w/<str:workspace_id>/documents/<uuid:document_id>/", views.document_detail_page, name="app-document"),
    path(
        "w/<str:workspace_id>/documents/<uuid:document_id>/delete/",
        views.document_delete_page,
        name="app-document-delete",
    ),
    path(
        "w/<str:workspace_id>/documents/<uuid:document_id>/reindex/",
        views.document_reindex_page,
        name="app-document-reindex",
    ),
]
