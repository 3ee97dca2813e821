from dataclasses import dataclass, field

from core.roles import ROLE_RANK, Role
from workspaces.access_control import workspaces_with_access
from workspaces.models import Workspace


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key (stored or bootstrap) or a user named by the gateway.

    `actor` is what logs and audit rows record: a short hash of the key or the
    gateway's user id, never a secret. A gateway user's `credentials` (the
    Authorization header the gateway passed on) are kept only to forward them
    to the access-control service.
    """

    actor: str
    role: str
    workspace_id: str | None = None
    api_key_id: int | None = None
    user_id: str = ""
    credentials: str = field(default="", repr=False)

    is_authenticated = True
    is_anonymous = False

    @property
    def is_gateway_user(self) -> bool:
        return bool(self.user_id)

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    def can_reach(self, workspace_id: str) -> bool:
        """The key's own scope; a gateway user's access is asked of the access-control service."""
        return self.workspace_id is None or self.workspace_id == workspace_id

    def reachable_workspace_ids(self, *, among: list[str] | None = None) -> list[str] | None:
        """The workspaces this caller may reach, or None for "all of them" (an unscoped key).

        A gateway user's are asked of the access-control service; `among` limits the
        candidates (and so the questions that costs) to those ids. Views of every app
        scope cross-workspace reads with it, through the principal they are given.
        """
        if self.workspace_id is not None:
            return [self.workspace_id]
        if not self.is_gateway_user:
            return None
        candidates = Workspace.objects.order_by("pk")
        if among is not None:
            candidates = candidates.filter(pk__in=among)
        return workspaces_with_access(principal=self, workspace_ids=list(candidates.values_list("pk", flat=True)))
