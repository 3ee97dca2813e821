from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from ragsite.errors import ApiError
from retrieval.pipeline import search_chunks
from retrieval.search.filters import InvalidFilter, SearchFilters
from retrieval.selectors import chunk_context
from retrieval.serializers import (
    ChunkSerializer,
    ContextRequestSerializer,
    ContextResponseSerializer,
    SearchRequestSerializer,
    SearchResponseSerializer,
    SearchResultSerializer,
)
from workspaces.models import Role
from workspaces.scoping import WorkspaceScopedMixin


class SearchApi(WorkspaceScopedMixin, APIView):
    """Hybrid search over the workspace's completed documents (a read: viewers may search)."""

    required_role = Role.VIEWER
    reads_only = True

    @extend_schema(request=SearchRequestSerializer, responses=SearchResponseSerializer)
    def post(self, request):
        payload = SearchRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            filters = SearchFilters.from_request(evidence_types=data.get("evidence_types"), filters=data.get("filters"))
        except InvalidFilter as exc:
            raise ApiError(str(exc), code="invalid_filter") from None
        outcome = search_chunks(
            workspace=self.workspace,
            query=data["query"],
            limit=data["limit"],
            filters=filters,
            min_similarity=data.get("min_similarity"),
            mode=data["mode"],
            rerank=data["rerank"],
        )
        echoed = {key: value for key, value in data.items() if key != "project_id"}
        echoed["workspace_id"] = self.workspace.pk
        return Response(
            {
                "results": SearchResultSerializer(outcome.results, many=True).data,
                "total_results": len(outcome.results),
                "request": echoed,
                "timings_ms": outcome.timings_ms,
            }
        )


class ContextApi(WorkspaceScopedMixin, APIView):
    """A chunk with its neighbours in the same document."""

    required_role = Role.VIEWER
    reads_only = True

    @extend_schema(request=ContextRequestSerializer, responses=ContextResponseSerializer)
    def post(self, request):
        payload = ContextRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        context = chunk_context(
            workspace=self.workspace,
            chunk_id=payload.validated_data["chunk_id"],
            window=payload.validated_data["context_window"],
        )
        if context is None:
            raise exceptions.NotFound("Chunk not found.")
        return Response(
            {
                "chunk": ChunkSerializer(context.chunk).data,
                "context_before": ChunkSerializer(context.before, many=True).data,
                "context_after": ChunkSerializer(context.after, many=True).data,
            }
        )
