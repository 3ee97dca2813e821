from audit.models import AuditLog


def audit_log_record(
    *, action: str, actor: str, request_id: str = "", workspace_ids=(), reason: str = "", metadata: dict | None = None
) -> AuditLog:
    """Record an operator action. Call it inside the action's own transaction, so both commit or neither."""
    return AuditLog.objects.create(
        action=action,
        actor=actor,
        request_id=request_id,
        workspace_ids=list(workspace_ids),
        reason=reason,
        metadata=metadata or {},
    )
