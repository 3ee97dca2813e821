"""The retrieval inspector: a query against a workspace, and for every result its rank and score
at each stage, so an operator sees why an answer was or was not found."""

from django.shortcuts import render

from core.roles import Role
from retrieval.forms import InspectForm
from retrieval.pipeline import search_chunks
from retrieval.search.filters import SearchFilters
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
    context = {"workspace": workspace, "form": form, "outcome": outcome}
    return render(request, "retrieval/inspector.html", context, status=status)
