"""Pages for people: the workspaces they can reach. Reads go through the same selectors as the API."""

from urllib.parse import urlencode

from django.core.paginator import Paginator

from core.htmx import render_page_or_partial
from core.roles import Role
from workspaces.forms import STATUS_CHOICES, WorkspaceFilterForm
from workspaces.selectors import workspace_list_for_principal, workspace_list_matching
from workspaces.web import page_workspace, signed_in

PAGE_SIZE = 25


@signed_in
def workspace_list(request):
    filters = WorkspaceFilterForm(request.GET).filters()
    workspaces = workspace_list_matching(
        workspaces=workspace_list_for_principal(principal=request.principal), filters=filters
    )
    page = Paginator(workspaces, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "rows": [(workspace, request.principal.role_in(workspace.pk)) for workspace in page],
        "page": page,
        "filters": filters,
        "query": urlencode(filters),
        "status_choices": STATUS_CHOICES,
    }
    return render_page_or_partial(request, "workspaces/workspace_list.html", context)


@signed_in
def workspace_detail(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.VIEWER)
    context = {"workspace": workspace, "role": request.principal.role_in(workspace.pk)}
    return render_page_or_partial(request, "workspaces/workspace_detail.html", context)
