from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from core.health import database_problem
from core.roles import Role
from documents.checks import vector_column_problem
from providers.readiness import configured_models, model_problems
from retrieval.grouping import group_results
from retrieval.pipeline import search_chunks
from retrieval.search.filters import SearchFilters
from retrieval.selectors import chunk_context
from retrieval.serializers import (
    ChunkSerializer,
    ContextRequestSerializer,
    ContextResponseSerializer,
    SearchRequestSerializer,
    SearchResponseSerializer,
    SearchResultSerializer,
)
from workspaces.models import Workspace
from workspaces.scoping import WorkspaceScopedMixin


def search_response_body(*, workspace: Workspace, data: dict) -> dict:
    """What /search answers for SearchRequestSerializer's validated data; the MCP tool
    `search_documents` answers the same."""
    filters = SearchFilters.from_request(evidence_types=data.get("evidence_types"), filters=data.get("filters"))
    outcome = search_chunks(
        workspace=workspace,
        query=data["query"],
        limit=data["limit"],
        filters=filters,
        min_similarity=data.get("min_similarity"),
        mode=data["mode"],
        rerank=data["rerank"],
    )
    echoed = {key: value for key, value in data.items() if key != "project_id"}
    echoed["workspace_id"] = workspace.pk
    body = {
        "results": SearchResultSerializer(outcome.results, many=True).data,
        "total_results": len(outcome.results),
        "request": echoed,
        "timings_ms": outcome.timings_ms,
    }
    if data.get("group_by_document"):
        body["documents"] = document_hits(outcome.results)
    return body


def document_hits(results) -> list[dict]:
    documents = {str(result.chunk.document_id): result.chunk.document for result in results}
    return [
        {
            "document_id": hit.document_id,
            "title": documents[hit.document_id].title,
            "source_uri": documents[hit.document_id].source_uri,
            "score": hit.score,
            "chunk_ids": hit.chunk_ids,
        }
        for hit in group_results(results)
    ]


def context_response_body(*, workspace: Workspace, data: dict) -> dict:
    """What /context answers for ContextRequestSerializer's validated data; the MCP tool
    `get_document_context` answers the same."""
    context = chunk_context(workspace=workspace, chunk_id=data["chunk_id"], window=data["context_window"])
    if context is None:
        raise exceptions.NotFound("Chunk not found.")
    return {
        "chunk": ChunkSerializer(context.chunk).data,
        "context_before": ChunkSerializer(context.before, many=True).data,
        "context_after": ChunkSerializer(context.after, many=True).data,
    }


class SearchApi(WorkspaceScopedMixin, APIView):
    """Hybrid search over the workspace's completed documents (a read: viewers may search)."""

    required_role = Role.VIEWER
    reads_only = True

    @extend_schema(request=SearchRequestSerializer, responses=SearchResponseSerializer)
    def post(self, request):
        payload = SearchRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(search_response_body(workspace=self.workspace, data=payload.validated_data))


class ContextApi(WorkspaceScopedMixin, APIView):
    """A chunk with its neighbours in the same document."""

    required_role = Role.VIEWER
    reads_only = True

    @extend_schema(request=ContextRequestSerializer, responses=ContextResponseSerializer)
    def post(self, request):
        payload = ContextRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(context_response_body(workspace=self.workspace, data=payload.validated_data))


class HealthApi(APIView):
    """200 when the database, the embedding model and any configured reranker are ready, else 503."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    @extend_schema(responses={200: dict, 503: dict})
    def get(self, request):
        problems = model_problems()
        if column := vector_column_problem():
            problems.setdefault("embedding_model", column)
        checks = {"database": database_problem(), **{name: problems.get(name, "") for name in configured_models()}}
        missing = {name: problem for name, problem in checks.items() if problem}
        body = {
            "status": "ok" if not missing else "unavailable",
            "checks": {name: problem or "ok" for name, problem in checks.items()},
        }
        return Response(body, status=503 if missing else 200)
