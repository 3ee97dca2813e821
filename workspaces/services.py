"""Writes for workspaces and API keys."""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.services import audit_log_record
from core.errors import Conflict
from core.queue import enqueue_on_commit
from core.roles import Role
from workspaces.models import ApiKey, Membership, Workspace, hash_api_key
from workspaces.selectors import workspace_list_matching

KEY_PREFIX = "rag_"


@transaction.atomic
def api_key_create(
    *, name: str, role: str = Role.VIEWER, workspace: Workspace | None = None, actor: str = "system"
) -> tuple[ApiKey, str]:
    """Create a key; the raw key is returned once and never stored."""
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name,
        prefix=raw_key[: len(KEY_PREFIX) + 6],
        key_hash=hash_api_key(raw_key),
        role=Role(role),
        workspace=workspace,
    )
    _audit_api_key("api_key.create", api_key, actor=actor)
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: str = "system") -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        _audit_api_key("api_key.revoke", api_key, actor=actor)
    return api_key


def _audit_api_key(action: str, api_key: ApiKey, *, actor: str) -> None:
    audit_log_record(
        action=action,
        actor=actor,
        workspace_ids=[api_key.workspace_id] if api_key.workspace_id else [],
        metadata={"key_id": api_key.pk, "prefix": api_key.prefix, "role": api_key.role, "name": api_key.name},
    )


def workspace_create(
    *,
    workspace_id: str,
    name: str,
    description: str = "",
    search_language: str = "english",
    actor: str = "",
    request_id: str = "",
) -> Workspace:
    """A new workspace; 409 `workspace_exists` when the id is taken."""
    try:
        with transaction.atomic():
            workspace = Workspace.objects.create(
                id=workspace_id, name=name, description=description, search_language=search_language
            )
            audit_log_record(
                action="workspace.create", actor=actor, request_id=request_id, workspace_ids=[workspace.pk]
            )
    except IntegrityError:
        raise Conflict(f"Workspace '{workspace_id}' already exists.", code="workspace_exists") from None
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
            enqueue_on_commit("documents.reindex_workspace", workspace.pk, False)
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


# --- Bulk archive and restore --------------------------------------------------------

ARCHIVE = "archive"
RESTORE = "restore"


def _status_to_change(action: str) -> str:
    """An archive changes active workspaces; a restore changes archived ones."""
    return "active" if action == ARCHIVE else "archived"


@transaction.atomic
def workspaces_bulk_change(
    *,
    action: str,
    workspace_ids: list[str],
    reachable: QuerySet[Workspace],
    actor: str,
    reason: str = "",
    request_id: str = "",
) -> dict:
    """Archive or restore the listed workspaces in one transaction.

    Returns the outcome per id (archived, already_archived, restored,
    already_active) and the ids that do not exist or are out of the caller's
    reach, which look the same.
    """
    requested = list(dict.fromkeys(workspace_ids))
    found = {workspace.pk: workspace for workspace in reachable.filter(pk__in=requested).select_for_update()}
    results, changed = [], []
    for workspace_id in requested:
        workspace = found.get(workspace_id)
        if workspace is None:
            continue
        if workspace.is_archived == (action == ARCHIVE):
            results.append(
                {"id": workspace_id, "outcome": "already_archived" if workspace.is_archived else "already_active"}
            )
        else:
            results.append({"id": workspace_id, "outcome": "archived" if action == ARCHIVE else "restored"})
            changed.append(workspace_id)
    _set_archived(workspace_ids=changed, action=action, reason=reason)
    not_found = [workspace_id for workspace_id in requested if workspace_id not in found]
    counts = {"requested": len(requested), "changed": len(changed), "unchanged": len(found) - len(changed)}
    if changed:
        audit_log_record(
            action=f"workspace.bulk_{action}",
            actor=actor,
            request_id=request_id,
            workspace_ids=changed,
            reason=reason,
            metadata={**counts, "not_found": len(not_found)},
        )
    return {"action": action, **counts, "results": results, "not_found": not_found}


def workspaces_bulk_preview(*, action: str, reachable: QuerySet[Workspace], filters: dict, sample_limit: int) -> dict:
    """What `workspaces_change_matching` would change now: the total and a sample."""
    targets = workspace_list_matching(workspaces=reachable, filters={**filters, "status": _status_to_change(action)})
    return {"action": action, "total": targets.count(), "sample": list(targets[:sample_limit])}


@transaction.atomic
def workspaces_change_matching(
    *,
    action: str,
    reachable: QuerySet[Workspace],
    filters: dict,
    expected_total: int,
    actor: str,
    reason: str = "",
    request_id: str = "",
) -> dict:
    """Archive or restore everything matching `filters`, if it is still what the caller saw.

    The matching rows are locked before counting, so the count that is checked
    against `expected_total` is the set that changes; a mismatch changes nothing.
    """
    targets = workspace_list_matching(workspaces=reachable, filters={**filters, "status": _status_to_change(action)})
    workspace_ids = list(targets.select_for_update().values_list("pk", flat=True))
    if len(workspace_ids) != expected_total:
        raise Conflict(
            f"{len(workspace_ids)} workspaces match now, not the {expected_total} you confirmed; preview again.",
            code="expected_total_mismatch",
            extra={"expected_total": expected_total, "actual_total": len(workspace_ids)},
        )
    _set_archived(workspace_ids=workspace_ids, action=action, reason=reason)
    if workspace_ids:
        audit_log_record(
            action=f"workspace.{action}_matching",
            actor=actor,
            request_id=request_id,
            workspace_ids=workspace_ids,
            reason=reason,
            metadata={"filters": _json_filters(filters), "total": len(workspace_ids)},
        )
    return {"action": action, "total": len(workspace_ids), "workspace_ids": workspace_ids}


def _set_archived(*, workspace_ids: list[str], action: str, reason: str) -> None:
    if not workspace_ids:
        return
    if action == ARCHIVE:
        changes = {"archived_at": timezone.now(), "archive_reason": reason}
    else:
        changes = {"archived_at": None, "archive_reason": ""}
    Workspace.objects.filter(pk__in=workspace_ids).update(**changes, updated_at=timezone.now())


def _json_filters(filters: dict) -> dict:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in filters.items() if value}


# --- Memberships -----------------------------------------------------------------------


@transaction.atomic
def membership_set(*, workspace: Workspace, user, role: str, actor: str, request_id: str = "") -> Membership:
    """Give a person `role` in the workspace (adding them, or changing their role); audited."""
    membership, created = Membership.objects.update_or_create(
        user=user, workspace=workspace, defaults={"role": Role(role)}
    )
    audit_log_record(
        action="membership.add" if created else "membership.change",
        actor=actor,
        request_id=request_id,
        workspace_ids=[workspace.pk],
        metadata={"user": user.get_username(), "role": membership.role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: str, request_id: str = "") -> None:
    audit_log_record(
        action="membership.remove",
        actor=actor,
        request_id=request_id,
        workspace_ids=[membership.workspace_id],
        metadata={"user": membership.user.get_username(), "role": membership.role},
    )
    membership.delete()
