"""Writes for workspaces and API keys."""

import secrets

from django.db import transaction
from django.utils import timezone

from audit.services import audit_log_record
from workspaces.models import ApiKey, Role, Workspace, hash_api_key

KEY_PREFIX = "rag_"


def api_key_create(*, name: str, role: str = Role.VIEWER, workspace: Workspace | None = None) -> tuple[ApiKey, str]:
    """Create a key; the raw key is returned once and never stored."""
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name,
        prefix=raw_key[: len(KEY_PREFIX) + 6],
        key_hash=hash_api_key(raw_key),
        role=Role(role),
        workspace=workspace,
    )
    return api_key, raw_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


@transaction.atomic
def workspace_create(
    *,
    workspace_id: str,
    name: str,
    description: str = "",
    search_language: str = "english",
    actor: str = "",
    request_id: str = "",
) -> Workspace:
    workspace = Workspace.objects.create(
        id=workspace_id, name=name, description=description, search_language=search_language
    )
    audit_log_record(action="workspace.create", actor=actor, request_id=request_id, workspace_ids=[workspace.pk])
    return workspace


@transaction.atomic
def workspace_update(*, workspace: Workspace, actor: str, request_id: str = "", **changes) -> Workspace:
    """Change name, description or search language; the audit row lists what changed."""
    allowed = {"name", "description", "search_language"}
    changed = {
        field: value for field, value in changes.items() if field in allowed and getattr(workspace, field) != value
    }
    for field, value in changed.items():
        setattr(workspace, field, value)
    if changed:
        workspace.save(update_fields=[*changed, "updated_at"])
        audit_log_record(
            action="workspace.update",
            actor=actor,
            request_id=request_id,
            workspace_ids=[workspace.pk],
            metadata={"changed": sorted(changed)},
        )
        if "search_language" in changed:
            # Keyword search compares lexemes of one language: rebuild them all.
            from documents.services import workspace_request_reindex

            workspace_request_reindex(workspace=workspace)
    return workspace


@transaction.atomic
def workspace_archive(*, workspace: Workspace, actor: str, reason: str, request_id: str = "") -> Workspace:
    """Make a workspace read-only. Archiving an archived workspace changes nothing and records nothing."""
    locked = Workspace.objects.select_for_update().get(pk=workspace.pk)
    if locked.archived_at is None:
        locked.archived_at = timezone.now()
        locked.archive_reason = reason
        locked.save(update_fields=["archived_at", "archive_reason", "updated_at"])
        audit_log_record(
            action="workspace.archive", actor=actor, request_id=request_id, workspace_ids=[locked.pk], reason=reason
        )
    return locked


@transaction.atomic
def workspace_restore(*, workspace: Workspace, actor: str, request_id: str = "", reason: str = "") -> Workspace:
    locked = Workspace.objects.select_for_update().get(pk=workspace.pk)
    if locked.archived_at is not None:
        locked.archived_at = None
        locked.archive_reason = ""
        locked.save(update_fields=["archived_at", "archive_reason", "updated_at"])
        audit_log_record(
            action="workspace.restore", actor=actor, request_id=request_id, workspace_ids=[locked.pk], reason=reason
        )
    return locked


def workspace_get_or_create(*, workspace_id: str, name: str | None = None) -> Workspace:
    workspace, _ = Workspace.objects.get_or_create(id=workspace_id, defaults={"name": name or workspace_id})
    return workspace
