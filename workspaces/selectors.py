"""Reads. Every fetch of a workspace goes through `workspace_get_for_principal`,
so tenant isolation lives in one place."""

import hmac
from datetime import timedelta

from django.conf import settings
from django.core.validators import slug_re
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.roles import ROLE_RANK, Role
from workspaces.access_control import workspace_access_allowed
from workspaces.models import ApiKey, Membership, Workspace, hash_api_key, legacy_hash_api_key
from workspaces.principals import Principal

LAST_USED_RESOLUTION = timedelta(minutes=1)


def principal_for_key(raw_key: str) -> Principal | None:
    """The principal for a presented key, or None when unknown or revoked."""
    key_hash = hash_api_key(raw_key)
    api_key = ApiKey.objects.filter(key_hash=key_hash).first() or _rehash_legacy_key(raw_key, key_hash)
    if api_key is not None and hmac.compare_digest(api_key.key_hash, key_hash):
        if api_key.is_revoked:
            return None
        _touch_last_used(api_key)
        return Principal(
            actor=f"key:{key_hash[:12]}",
            role=api_key.role,
            workspace_id=api_key.workspace_id,
            api_key_id=api_key.pk,
        )
    # Every configured key is compared, in constant time, whichever matches.
    matches = [role for known, role in bootstrap_key_roles().items() if hmac.compare_digest(known, key_hash)]
    if matches:
        return Principal(actor=f"key:{key_hash[:12]}", role=matches[0])
    return None


def _rehash_legacy_key(raw_key: str, key_hash: str) -> ApiKey | None:
    """A key stored before hashes were peppered: found by its old hash, and stored peppered from now on."""
    api_key = ApiKey.objects.filter(key_hash=legacy_hash_api_key(raw_key)).first()
    if api_key is not None:
        ApiKey.objects.filter(pk=api_key.pk).update(key_hash=key_hash)
        api_key.key_hash = key_hash
    return api_key


def principal_for_user(user) -> Principal:
    """A person signed in to the web app. Staff users are admins everywhere; anyone else
    reaches the workspaces they are a member of, with their role in each."""
    actor = f"user:{user.get_username()}"
    if user.is_staff:
        return Principal(actor=actor, role=Role.ADMIN)
    memberships = tuple(
        Membership.objects.filter(user=user).order_by("workspace_id").values_list("workspace_id", "role")
    )
    highest = max((role for _, role in memberships), key=lambda role: ROLE_RANK[Role(role)], default=Role.VIEWER)
    return Principal(actor=actor, role=highest, memberships=memberships)


def bootstrap_key_roles() -> dict[str, str]:
    """Hash -> role for keys given in API_KEYS / API_KEY_ROLES (role `viewer` when unlisted)."""
    roles = list(settings.API_KEY_ROLES) + ["viewer"] * len(settings.API_KEYS)
    return {hash_api_key(key): role for key, role in zip(settings.API_KEYS, roles, strict=False) if key}


def _touch_last_used(api_key: ApiKey) -> None:
    # One write a minute per key at most: a hot key must not write on every request.
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)


def workspace_list_for_principal(*, principal: Principal, among: list[str] | None = None) -> QuerySet[Workspace]:
    """The workspaces a principal may reach; `among` limits the candidates (and so the
    questions a gateway user's access costs) to those ids."""
    workspaces = Workspace.objects.all() if among is None else Workspace.objects.filter(pk__in=among)
    reachable = principal.reachable_workspace_ids(among=among)
    if reachable is not None:
        workspaces = workspaces.filter(pk__in=reachable)
    return workspaces


def workspace_list_administered(*, principal: Principal, among: list[str] | None = None) -> QuerySet[Workspace]:
    """The workspaces a principal administers: what bulk archive and restore may change, for the
    API and the pages alike. A key or a gateway user has one role everywhere it reaches; a signed-in
    member is admin only where a membership says so."""
    if not principal.has_role(Role.ADMIN):
        return Workspace.objects.none()
    if principal.memberships is not None:
        admin_of = [workspace_id for workspace_id, role in principal.memberships if role == Role.ADMIN]
        among = admin_of if among is None else [workspace_id for workspace_id in among if workspace_id in admin_of]
    return workspace_list_for_principal(principal=principal, among=among)


def workspace_get_for_principal(*, principal: Principal, workspace_id: str) -> Workspace | None:
    """The workspace if it exists and the principal may reach it, else None.

    Both cases look the same to the caller, so nobody learns which workspaces exist.
    """
    if not is_possible_workspace_id(workspace_id) or not principal.can_reach(workspace_id):
        return None
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None and principal.is_gateway_user:
        if not workspace_access_allowed(principal=principal, workspace_id=workspace.pk):
            return None
    return workspace


def is_possible_workspace_id(value: str) -> bool:
    """Whether a workspace could have this id; anything else (control characters, a
    path, a megabyte of text) is simply not found, without asking the database."""
    return bool(value) and len(value) <= Workspace._meta.pk.max_length and slug_re.fullmatch(value) is not None


def workspace_list_matching(*, workspaces: QuerySet[Workspace], filters: dict) -> QuerySet[Workspace]:
    """The list filter used by the list endpoint and by bulk operations: `q`, `status`,
    `created_after`, `created_before`. One definition, so a preview counts what the change changes."""
    status = filters.get("status", "all")
    if status == "active":
        workspaces = workspaces.active()
    elif status == "archived":
        workspaces = workspaces.archived()
    if text := filters.get("q"):
        workspaces = workspaces.filter(Q(id__icontains=text) | Q(name__icontains=text))
    if filters.get("created_after"):
        workspaces = workspaces.filter(created_at__gte=filters["created_after"])
    if filters.get("created_before"):
        workspaces = workspaces.filter(created_at__lt=filters["created_before"])
    return workspaces.order_by("pk")


def membership_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")


def membership_get(*, workspace: Workspace, membership_id) -> Membership | None:
    return membership_list(workspace=workspace).filter(pk=membership_id).first()
