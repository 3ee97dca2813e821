"""Writes for workspaces and API keys."""

import secrets

from django.db import transaction
from django.utils import timezone

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
    *, workspace_id: str, name: str, description: str = "", search_language: str = "english"
) -> Workspace:
    return Workspace.objects.create(
        id=workspace_id, name=name, description=description, search_language=search_language
    )


def workspace_get_or_create(*, workspace_id: str, name: str | None = None) -> Workspace:
    workspace, _ = Workspace.objects.get_or_create(id=workspace_id, defaults={"name": name or workspace_id})
    return workspace
