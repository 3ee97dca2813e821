"""Pages for people: the workspaces they can reach. Reads go through the same selectors as the API."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import NotFound
from core.htmx import render_page_or_partial
from core.roles import Role
from workspaces.forms import STATUS_CHOICES, MembershipForm, WorkspaceFilterForm
from workspaces.selectors import membership_get, membership_list, workspace_list_for_principal, workspace_list_matching
from workspaces.services import membership_remove, membership_set
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


@signed_in
def member_list(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.ADMIN)
    return _members(request, workspace, MembershipForm())


@signed_in
@require_POST
def member_set(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.ADMIN, writes=True)
    form = MembershipForm(request.POST)
    if not form.is_valid():
        return _members(request, workspace, form, status=400)
    membership = membership_set(
        workspace=workspace,
        user=form.cleaned_data["user"],
        role=form.cleaned_data["role"],
        actor=request.principal.actor,
        request_id=request.request_id,
    )
    messages.success(request, f"{membership.user.get_username()} is now {membership.get_role_display().lower()}.")
    return redirect("app-members", workspace_id=workspace.pk)


@signed_in
@require_POST
def member_remove(request, workspace_id: str, membership_id: int):
    workspace = page_workspace(request, workspace_id, required_role=Role.ADMIN, writes=True)
    membership = membership_get(workspace=workspace, membership_id=membership_id)
    if membership is None:
        raise NotFound("Member not found.")
    membership_remove(membership=membership, actor=request.principal.actor, request_id=request.request_id)
    messages.success(request, f"{membership.user.get_username()} no longer has access.")
    return redirect("app-members", workspace_id=workspace.pk)


def _members(request, workspace, form, *, status: int = 200):
    context = {
        "workspace": workspace,
        "memberships": membership_list(workspace=workspace),
        "form": form,
        "roles": Role.choices,
    }
    return render(request, "workspaces/member_list.html", context, status=status)
