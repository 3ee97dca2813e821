from django.db.models import QuerySet

from audit.models import AuditLog


def audit_log_list(*, filters: dict, workspace_scope: list[str] | None = None) -> QuerySet[AuditLog]:
    """Newest first. Filters: action, actor, workspace_id, request_id, since, until.

    With a `workspace_scope` (the workspaces a caller may reach), only rows about those workspaces.
    """
    logs = AuditLog.objects.order_by("-created_at", "-id")
    if workspace_scope is not None:
        logs = logs.filter(workspace_ids__overlap=workspace_scope)
    if filters.get("action"):
        logs = logs.filter(action=filters["action"])
    if filters.get("actor"):
        logs = logs.filter(actor=filters["actor"])
    if filters.get("workspace_id"):
        logs = logs.filter(workspace_ids__contains=[filters["workspace_id"]])
    if filters.get("request_id"):
        logs = logs.filter(request_id=filters["request_id"])
    if filters.get("since"):
        logs = logs.filter(created_at__gte=filters["since"])
    if filters.get("until"):
        logs = logs.filter(created_at__lt=filters["until"])
    return logs


def audit_log_get(*, log_id: int, workspace_scope: list[str] | None = None) -> AuditLog | None:
    """One row, when it is about a workspace of the scope; any other looks like an unknown id."""
    return audit_log_list(filters={}, workspace_scope=workspace_scope).filter(pk=log_id).first()
