from dataclasses import dataclass

from workspaces.models import ROLE_RANK, Role


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key (stored or bootstrap) or, later, a gateway user.

    `actor` is what logs and audit rows record: a short hash of the key, never the key.
    """

    actor: str
    role: str
    workspace_id: str | None = None
    api_key_id: int | None = None

    is_authenticated = True
    is_anonymous = False

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    def can_reach(self, workspace_id: str) -> bool:
        return self.workspace_id is None or self.workspace_id == workspace_id
