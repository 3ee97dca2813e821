"""How an API view finds its workspace: one mechanism for every app.

The id comes from the `X-Workspace-ID` header, else the body's `workspace_id`
(alias `project_id`), else the `workspace_id` query parameter, else the
caller's own workspace scope. A workspace the caller cannot reach answers 404,
exactly like one that does not exist. Writes to an archived workspace answer
409 `workspace_archived`; reads keep working.
"""

from rest_framework.permissions import SAFE_METHODS

from core.errors import Conflict, DomainError, Forbidden, NotFound
from core.request_id import set_log_context
from workspaces.models import Workspace
from workspaces.principals import Principal
from workspaces.selectors import workspace_get_for_principal

WORKSPACE_HEADER = "X-Workspace-ID"


def workspace_id_from_request(request) -> str | None:
    header = request.headers.get(WORKSPACE_HEADER)
    if header:
        return header.strip()
    data = request.data if request.method not in SAFE_METHODS else None
    if isinstance(data, dict):
        for field in ("workspace_id", "project_id"):
            value = data.get(field)
            if isinstance(value, str) and value:
                return value.strip()
    if request.query_params.get("workspace_id"):
        return request.query_params["workspace_id"].strip()
    return request.user.workspace_id


def workspace_for_request(request, *, writes: bool | None = None) -> Workspace:
    """The request's workspace; `writes` defaults to "the method is not a safe one"."""
    workspace_id = workspace_id_from_request(request)
    if not workspace_id:
        raise DomainError(f"Name the workspace with the {WORKSPACE_HEADER} header.", code="workspace_required")
    if writes is None:
        writes = request.method not in SAFE_METHODS
    return workspace_for_principal(principal=request.user, workspace_id=workspace_id, writes=writes)


def workspace_for_principal(
    *, principal: Principal, workspace_id: str, writes: bool = False, required_role: str | None = None
) -> Workspace:
    """The workspace a principal asks for, or the error to answer: 404 when it does not exist
    or is out of reach, 403 when the principal's role there is below `required_role`, 409 for
    a write to an archived workspace. API views (whose role the permission class checked) and
    pages both come through here."""
    workspace = workspace_get_for_principal(principal=principal, workspace_id=workspace_id)
    if workspace is None:
        raise NotFound("Workspace not found.")
    set_log_context(workspace=workspace.pk)
    if required_role is not None and not principal.has_role(required_role, workspace_id=workspace.pk):
        raise Forbidden()
    if writes and workspace.is_archived:
        raise Conflict("This workspace is archived; it is read-only.", code="workspace_archived")
    return workspace


class WorkspaceScopedMixin:
    """For DRF views whose objects live in one workspace.

    Set `reads_only = True` on views that POST a query but change nothing
    (search, context), so they keep working on archived workspaces.
    """

    reads_only = False
    _workspace = None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            writes = False if self.reads_only else None
            self._workspace = workspace_for_request(self.request, writes=writes)
        return self._workspace
