from django.urls import path

from workspaces import api
from workspaces.services import ARCHIVE, RESTORE, workspace_archive, workspace_restore

urlpatterns = [
    path("workspaces", api.WorkspaceListCreateApi.as_view(), name="workspace-list"),
    # Before workspaces/<id>/...: "bulk" is a reserved id.
    path("workspaces/bulk/preview", api.WorkspaceBulkPreviewApi.as_view(), name="workspace-bulk-preview"),
    path("workspaces/bulk/archive", api.WorkspaceBulkChangeApi.as_view(action=ARCHIVE), name="workspace-bulk-archive"),
    path("workspaces/bulk/restore", api.WorkspaceBulkChangeApi.as_view(action=RESTORE), name="workspace-bulk-restore"),
    path(
        "workspaces/bulk/archive-matching",
        api.WorkspaceChangeMatchingApi.as_view(action=ARCHIVE),
        name="workspace-archive-matching",
    ),
    path(
        "workspaces/bulk/restore-matching",
        api.WorkspaceChangeMatchingApi.as_view(action=RESTORE),
        name="workspace-restore-matching",
    ),
    path("workspaces/<str:workspace_id>", api.WorkspaceDetailApi.as_view(), name="workspace-detail"),
    path(
        "workspaces/<str:workspace_id>/archive",
        api.WorkspaceArchiveStateApi.as_view(change=workspace_archive),
        name="workspace-archive",
    ),
    path(
        "workspaces/<str:workspace_id>/restore",
        api.WorkspaceArchiveStateApi.as_view(change=workspace_restore),
        name="workspace-restore",
    ),
]
