"""Pages for a workspace's documents: list, upload, delete, reindex, and one document's page.

Reads go through the documents selectors and writes through the same services as the API;
roles and workspaces are checked by `page_workspace`, as the API checks them. Every action
is a plain form that works without JavaScript (it redirects back); with htmx it answers the
fragment to swap in.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound
from core.htmx import render_page_or_partial, wants_partial
from core.roles import Role
from documents.forms import DocumentFilterForm
from documents.indexing import documents_request_index, workspace_request_reindex
from documents.models import DocumentStatus
from documents.rendering import render_markdown
from documents.selectors import document_get, document_list
from documents.services import document_delete, documents_upload
from documents.uploads import read_uploaded_files
from workspaces.web import page_workspace, signed_in

PAGE_SIZE = 50
UNSETTLED = {DocumentStatus.PENDING, DocumentStatus.PROCESSING}


@signed_in
def document_list_page(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.VIEWER)
    return _list(request, workspace)


@signed_in
@require_POST
def document_upload_page(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.EDITOR, writes=True)
    try:
        inputs = read_uploaded_files(request.FILES.getlist("files"), metadata={})
    except DomainError as refused:  # nothing is stored; every bad file is named
        for problem in refused.extra.get("files") or [refused.message]:
            messages.error(request, problem)
        return _after_write(request, workspace)
    report = documents_upload(workspace=workspace, inputs=inputs)
    count = len(report.documents)
    messages.success(request, f"{count} document{'s' if count != 1 else ''} uploaded; indexing has started.")
    return _after_write(request, workspace)


@signed_in
@require_POST
def document_delete_page(request, workspace_id: str, document_id):
    workspace, document = _document_to_change(request, workspace_id, document_id)
    document_delete(document=document)
    messages.success(request, f"Deleted “{document.title}”.")
    return _after_write(request, workspace)


@signed_in
@require_POST
def document_reindex_page(request, workspace_id: str, document_id):
    workspace, document = _document_to_change(request, workspace_id, document_id)
    documents_request_index(document_ids=[document.pk])
    messages.success(request, f"“{document.title}” is being indexed again; it stays searchable meanwhile.")
    return _after_write(request, workspace)


@signed_in
@require_POST
def workspace_reindex_page(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.EDITOR, writes=True)
    count = workspace_request_reindex(workspace=workspace, only_stale=request.POST.get("only_stale") == "true")
    messages.success(request, f"{count} document{'s' if count != 1 else ''} queued for reindexing.")
    return _after_write(request, workspace)


@signed_in
def document_detail_page(request, workspace_id: str, document_id):
    workspace = page_workspace(request, workspace_id, required_role=Role.VIEWER)
    document = _document(workspace, document_id)
    context = {
        "workspace": workspace,
        "document": document,
        "html": render_markdown(document.content),
        "chunks": document.chunks.order_by("ordinal").only("ordinal", "heading_path", "text", "token_count"),
        "can_write": _can_write(request, workspace),
    }
    return render_page_or_partial(request, "documents/document_detail.html", context)


def _list(request, workspace):
    status = DocumentFilterForm(request.GET).status_filter()
    documents = document_list(workspace=workspace, status=status or None)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "workspace": workspace,
        "page": page,
        "status": status,
        "status_choices": DocumentFilterForm.base_fields["status"].choices,
        # Poll while a document on this page is still being indexed; stop once all are settled.
        "unsettled": any(document.status in UNSETTLED for document in page),
        "can_write": _can_write(request, workspace),
    }
    return render_page_or_partial(request, "documents/document_list.html", context)


def _after_write(request, workspace):
    """The list fragment for htmx (with the messages), or back to the list page without JavaScript."""
    if wants_partial(request):
        return _list(request, workspace)
    return redirect("app-documents", workspace_id=workspace.pk)


def _document_to_change(request, workspace_id: str, document_id):
    """The workspace and document an editor's action is about (404, 403, 409 as the API answers)."""
    workspace = page_workspace(request, workspace_id, required_role=Role.EDITOR, writes=True)
    return workspace, _document(workspace, document_id)


def _document(workspace, document_id):
    document = document_get(workspace=workspace, document_id=document_id)
    if document is None:
        raise NotFound("Document not found.")
    return document


def _can_write(request, workspace) -> bool:
    return not workspace.is_archived and request.principal.has_role(Role.EDITOR, workspace_id=workspace.pk)
