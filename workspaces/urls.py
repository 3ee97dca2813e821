from django.urls import path

from workspaces import api

urlpatterns = [
    path("workspaces", api.WorkspaceListCreateApi.as_view(), name="workspace-list"),
    path("workspaces/<str:workspace_id>", api.WorkspaceDetailApi.as_view(), name="workspace-detail"),
]
