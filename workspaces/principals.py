from dataclasses import dataclass, field

from core.roles import ROLE_RANK, Role
from workspaces.access_control import workspaces_with_access
from workspaces.models import Workspace


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key (stored or bootstrap), a user named by the gateway, or a
    person signed in to the web app.

    `actor` is what logs and audit rows record: a short hash of the key, the
    gateway's user id or the person's user name, never a secret. A gateway user's
    `credentials` (the Authorization header the gateway passed on) are kept only
    to forward them to the access-control service. A signed-in person who is not
    staff has `memberships`, (workspace id, role) pairs: they reach those
    workspaces only, each with its own role; `role` is then their highest one.
    """

    actor: str
    role: str
    workspace_id: str | None = None
    api_key_id: int | None = None
    user_id: str = ""
    credentials: str = field(default="", repr=False)
    memberships: tuple[tuple[str, str], ...] | None = None

    is_authenticated = True
    is_anonymous = False

    def log_fields(self) -> dict[str, str]:
        """What log lines say about this caller: a key's hash prefix (never the key) or a user's id,
        and a scoped key's workspace."""
        kind, _, name = self.actor.partition(":")
        fields = {"api_key": name} if kind == "key" else {"user": name}
        if self.workspace_id:
            fields["workspace"] = self.workspace_id
        return fields

    @property
    def is_gateway_user(self) -> bool:
        return bool(self.user_id)

    @property
    def is_scoped(self) -> bool:
        """Limited to some workspaces (a scoped key, a member): such a caller cannot create workspaces."""
        return self.workspace_id is not None or self.memberships is not None

    def role_in(self, workspace_id: str) -> str:
        """The role this caller has in one workspace (a member's own role there; everyone else's one role)."""
        if self.memberships is None:
            return self.role
        return dict(self.memberships).get(workspace_id, "")

    def has_role(self, role: str, *, workspace_id: str | None = None) -> bool:
        """Whether the caller's role (in `workspace_id`, when given) reaches `role`."""
        held = self.role if workspace_id is None else self.role_in(workspace_id)
        return bool(held) and ROLE_RANK[Role(held)] >= ROLE_RANK[Role(role)]

    def can_reach(self, workspace_id: str) -> bool:
        """The key's own scope, or a member's workspaces; a gateway user's access is asked of the
        access-control service."""
        if self.memberships is not None and workspace_id not in dict(self.memberships):
            return False
        return self.workspace_id is None or self.workspace_id == workspace_id

    def reachable_workspace_ids(self, *, among: list[str] | None = None) -> list[str] | None:
        """The workspaces this caller may reach, or None for "all of them" (an unscoped key).

        A gateway user's are asked of the access-control service; `among` limits the
        candidates (and so the questions that costs) to those ids. Views of every app
        scope cross-workspace reads with it, through the principal they are given.
        """
        if self.workspace_id is not None:
            return [self.workspace_id]
        if self.memberships is not None:
            member_of = sorted(workspace_id for workspace_id, _ in self.memberships)
            return member_of if among is None else [workspace_id for workspace_id in member_of if workspace_id in among]
        if not self.is_gateway_user:
            return None
        candidates = Workspace.objects.order_by("pk")
        if among is not None:
            candidates = candidates.filter(pk__in=among)
        return workspaces_with_access(principal=self, workspace_ids=list(candidates.values_list("pk", flat=True)))
