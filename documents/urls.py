from django.urls import path

from documents import api

urlpatterns = [
    path("documents", api.DocumentListApi.as_view(), name="document-list"),
    path("documents/<uuid:document_id>", api.DocumentDetailApi.as_view(), name="document-detail"),
]
