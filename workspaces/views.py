"""Pages for people: the workspaces they can reach. Reads go through the same selectors as the API."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import Forbidden, NotFound
from core.htmx import render_page_or_partial
from core.roles import Role
from workspaces.forms import (
    STATUS_CHOICES,
    ArchiveForm,
    MembershipForm,
    WorkspaceCreateForm,
    WorkspaceEditForm,
    WorkspaceFilterForm,
)
from workspaces.selectors import membership_get, membership_list, workspace_list_for_principal, workspace_list_matching
from workspaces.services import (
    membership_remove,
    membership_set,
    workspace_archive,
    workspace_create,
    workspace_restore,
    workspace_update,
)
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
        "can_create": _can_create(request.principal),
    }
    return render_page_or_partial(request, "workspaces/workspace_list.html", context)


@signed_in
def workspace_detail(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.VIEWER)
    role = request.principal.role_in(workspace.pk)
    context = {"workspace": workspace, "role": role, "is_admin": role == Role.ADMIN, "archive_form": ArchiveForm()}
    return render_page_or_partial(request, "workspaces/workspace_detail.html", context)


@signed_in
def workspace_create_page(request):
    if not _can_create(request.principal):
        raise Forbidden("Only administrators of every workspace (staff) can create workspaces.")
    form = WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = workspace_create(
            workspace_id=form.cleaned_data["id"],
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            search_language=form.cleaned_data["search_language"],
            actor=request.principal.actor,
            request_id=request.request_id,
        )
        messages.success(request, f"Workspace “{workspace.name}” created.")
        return redirect("app-workspace", workspace_id=workspace.pk)
    return render(request, "workspaces/workspace_form.html", {"form": form, "workspace": None}, status=_status(form))


@signed_in
def workspace_edit_page(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.ADMIN, writes=request.method == "POST")
    initial = {field: getattr(workspace, field) for field in ("name", "description", "search_language")}
    form = WorkspaceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        workspace_update(
            workspace=workspace, actor=request.principal.actor, request_id=request.request_id, **form.cleaned_data
        )
        messages.success(request, "Saved.")
        return redirect("app-workspace", workspace_id=workspace.pk)
    context = {"form": form, "workspace": workspace}
    return render(request, "workspaces/workspace_form.html", context, status=_status(form))


@signed_in
@require_POST
def workspace_archive_page(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.ADMIN)
    form = ArchiveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    workspace_archive(workspace=workspace, actor=request.principal.actor, reason=reason, request_id=request.request_id)
    messages.success(request, "Archived: the workspace is read-only until it is restored.")
    return redirect("app-workspace", workspace_id=workspace.pk)


@signed_in
@require_POST
def workspace_restore_page(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.ADMIN)
    workspace_restore(workspace=workspace, actor=request.principal.actor, request_id=request.request_id)
    messages.success(request, "Restored: the workspace can be changed again.")
    return redirect("app-workspace", workspace_id=workspace.pk)


def _can_create(principal) -> bool:
    """As the API decides: an admin who is not limited to some workspaces."""
    return principal.has_role(Role.ADMIN) and not principal.is_scoped


def _status(form) -> int:
    return 400 if form.is_bound and not form.is_valid() else 200


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
