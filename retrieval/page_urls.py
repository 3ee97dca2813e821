"""The retrieval inspector, under /app/w/<workspace>/inspect/, and a chunk in its context."""

from django.urls import path

from retrieval import views

urlpatterns = [
    path("w/<str:workspace_id>/inspect/", views.inspector_page, name="app-inspector"),
    path("w/<str:workspace_id>/chunks/<int:chunk_id>/", views.chunk_context_page, name="app-chunk"),
]
