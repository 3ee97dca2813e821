"""The retrieval inspector: a query against a workspace, and for every result its rank and score
at each stage, so an operator sees why an answer was or was not found. And a cited chunk among
its neighbours (the `/context` data), the panel a citation opens."""

from django.shortcuts import render

from core.errors import NotFound
from core.htmx import render_page_or_partial
from core.roles import Role
from documents.rendering import render_markdown_fragment
from retrieval.forms import InspectForm
from retrieval.grouping import group_results
from retrieval.pipeline import search_chunks
from retrieval.search.filters import SearchFilters
from retrieval.selectors import chunk_context
from workspaces.web import page_workspace, signed_in


@signed_in
def inspector_page(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.VIEWER)
    form = InspectForm(request.GET or None)
    outcome = None
    if form.is_bound and form.is_valid():
        filters = SearchFilters.from_request(**form.search_filters())
        outcome = search_chunks(
            workspace=workspace,
            query=form.cleaned_data["query"],
            limit=form.cleaned_data["limit"],
            filters=filters,
            mode=form.cleaned_data["mode"],
            rerank=form.cleaned_data["rerank"],
        )
    status = 400 if form.is_bound and not form.is_valid() else 200
    documents = None
    if outcome is not None and form.cleaned_data["by_document"]:
        chunks = {str(result.chunk.document_id): result for result in outcome.results}
        documents = [(hit, chunks[hit.document_id].chunk.document) for hit in group_results(outcome.results)]
    context = {"workspace": workspace, "form": form, "outcome": outcome, "documents": documents}
    return render(request, "retrieval/inspector.html", context, status=status)


CITATION_CONTEXT_WINDOW = 2


@signed_in
def chunk_context_page(request, workspace_id: str, chunk_id: int):
    workspace = page_workspace(request, workspace_id, required_role=Role.VIEWER)
    context = chunk_context(workspace=workspace, chunk_id=chunk_id, window=CITATION_CONTEXT_WINDOW)
    if context is None:
        raise NotFound("This passage is no longer in the workspace: its document was changed or deleted.")
    passages = [
        (chunk, render_markdown_fragment(chunk.text), chunk.pk == context.chunk.pk)
        for chunk in [*context.before, context.chunk, *context.after]
    ]
    page = {"workspace": workspace, "context": context, "passages": passages, "number": request.GET.get("n", "")[:3]}
    return render_page_or_partial(request, "retrieval/chunk_context.html", page)
