"""The retrieval inspector, under /app/w/<workspace>/inspect/."""

from django.urls import path

from retrieval import views

urlpatterns = [
    path("w/<str:workspace_id>/inspect/", views.inspector_page, name="app-inspector"),
]
