"""Pages for people: the workspaces they can reach. Reads go through the same selectors as the API."""

from collections import Counter
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import Conflict, DomainError, Forbidden, NotFound
from core.htmx import render_page_or_partial, wants_partial
from core.roles import Role
from workspaces.forms import (
    STATUS_CHOICES,
    ArchiveForm,
    MembershipForm,
    WorkspaceBulkForm,
    WorkspaceCreateForm,
    WorkspaceEditForm,
    WorkspaceFilterForm,
    WorkspaceMatchingConfirmForm,
    WorkspaceMatchingForm,
)
from workspaces.selectors import (
    membership_get,
    membership_list,
    workspace_list_administered,
    workspace_list_for_principal,
    workspace_list_matching,
)
from workspaces.services import (
    ARCHIVE,
    RESTORE,
    membership_remove,
    membership_set,
    workspace_archive,
    workspace_create,
    workspace_restore,
    workspace_update,
    workspaces_bulk_change,
    workspaces_bulk_preview,
    workspaces_change_matching,
)
from workspaces.web import page_workspace, signed_in

PAGE_SIZE = 25
PREVIEW_SAMPLE = 10
DONE = {ARCHIVE: "archived", RESTORE: "restored"}
OUTCOME_WORDS = {
    "archived": "archived",
    "already_archived": "already archived",
    "restored": "restored",
    "already_active": "already active",
}


@signed_in
def workspace_list(request):
    return _list(request, request.GET)


def _list(request, params):
    """The list page, or its fragment for htmx, for the filter and page number in `params`."""
    filters = WorkspaceFilterForm(params).filters()
    workspaces = workspace_list_matching(
        workspaces=workspace_list_for_principal(principal=request.principal), filters=filters
    )
    page = Paginator(workspaces, PAGE_SIZE).get_page(params.get("page"))
    rows = [(workspace, request.principal.role_in(workspace.pk)) for workspace in page]
    context = {
        "rows": rows,
        "page": page,
        "filters": filters,
        "query": urlencode(filters),
        "status_choices": STATUS_CHOICES,
        "can_create": _can_create(request.principal),
        # Bulk controls for whoever administers a listed workspace; the checkboxes only on those rows.
        "can_bulk": any(role == Role.ADMIN for _, role in rows),
    }
    return render_page_or_partial(request, "workspaces/workspace_list.html", context)


@signed_in
@require_POST
def workspaces_bulk_page(request):
    """Archive or restore the workspaces selected on the list; ids the person does not administer
    are counted as not found, as the API counts them."""
    _require_admin_somewhere(request.principal)
    form = WorkspaceBulkForm(request.POST)
    if form.is_valid():
        ids = form.cleaned_data["ids"]
        result = workspaces_bulk_change(
            action=form.cleaned_data["action"],
            workspace_ids=ids,
            reachable=workspace_list_administered(principal=request.principal, among=ids),
            actor=request.principal.actor,
            reason=form.cleaned_data["reason"] if form.cleaned_data["action"] == ARCHIVE else "",
            request_id=request.request_id,
        )
        messages.success(request, _outcome_message(result))
    else:
        messages.error(request, next(iter(form.errors.values()))[0])
    if wants_partial(request):
        return _list(request, request.POST)
    return redirect(_list_url(WorkspaceFilterForm(request.POST).filters(), page=request.POST.get("page")))


@signed_in
def workspaces_matching_page(request):
    """GET: what archiving (or restoring) everything the list's filter matches would change, with
    a confirmation carrying the total shown. POST: the change, only if that total still holds;
    otherwise nothing changes and the preview is shown again with the new count (409)."""
    _require_admin_somewhere(request.principal)
    confirming = request.method == "POST"
    form = WorkspaceMatchingConfirmForm(request.POST) if confirming else WorkspaceMatchingForm(request.GET)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise DomainError(f"{field}: {errors[0]}", code="validation_error")
    action, filters = form.cleaned_data["action"], form.filters()
    # The action decides which status changes (active ones are archived); `status` is only where to go back.
    matching = {"q": filters["q"]}
    reachable = workspace_list_administered(principal=request.principal)
    conflict = None
    if confirming:
        try:
            result = workspaces_change_matching(
                action=action,
                reachable=reachable,
                filters=matching,
                expected_total=form.cleaned_data["expected_total"],
                actor=request.principal.actor,
                reason=form.cleaned_data["reason"] if action == ARCHIVE else "",
                request_id=request.request_id,
            )
        except Conflict as changed:
            if changed.code != "expected_total_mismatch":
                raise
            conflict = changed.extra
        else:
            total = result["total"]
            messages.success(request, f"{total} workspace{'s' if total != 1 else ''} {DONE[action]}.")
            return redirect(_list_url(filters))
    preview = workspaces_bulk_preview(action=action, reachable=reachable, filters=matching, sample_limit=PREVIEW_SAMPLE)
    context = {
        "action": action,
        "archive": action == ARCHIVE,
        "state": "active" if action == ARCHIVE else "archived",
        "filters": filters,
        "preview": preview,
        "more": preview["total"] - len(preview["sample"]),
        "reason": form.cleaned_data.get("reason", ""),
        "conflict": conflict,
        "list_url": _list_url(filters),
    }
    return render(request, "workspaces/workspace_matching.html", context, status=409 if conflict else 200)


def _require_admin_somewhere(principal) -> None:
    # As the API's role check on its bulk endpoints; which workspaces change is the selector's business.
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only a workspace administrator can archive or restore workspaces.")


def _outcome_message(result: dict) -> str:
    """What happened to the selection, in the list's words: "2 archived, 1 already archived"."""
    counts = Counter(item["outcome"] for item in result["results"])
    parts = [f"{counts[outcome]} {words}" for outcome, words in OUTCOME_WORDS.items() if counts[outcome]]
    if result["not_found"]:
        parts.append(f"{len(result['not_found'])} not found or not yours to change")
    return ", ".join(parts) + "."


def _list_url(filters: dict, *, page: str | None = None) -> str:
    query = {**filters, "page": page} if page else filters
    return f"{reverse('app-home')}?{urlencode(query)}"


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
