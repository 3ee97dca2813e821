from django.urls import path

from audit import api as audit_api
from workspaces import api
from workspaces.services import workspace_archive, workspace_restore

urlpatterns = [
    path("workspaces", api.WorkspaceListCreateApi.as_view(), name="workspace-list"),
    path("workspaces/audit-logs", audit_api.AuditLogListApi.as_view(), name="audit-log-list"),
    path("workspaces/audit-logs/<int:log_id>", audit_api.AuditLogDetailApi.as_view(), name="audit-log-detail"),
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
