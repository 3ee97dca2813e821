"""Operational endpoints: /health for load balancers, /stats for people."""

from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from ragsite.stats import stats_for
from retrieval.embeddings import get_embedder
from retrieval.readiness import configured_models, model_problems
from workspaces.scoping import WORKSPACE_HEADER, workspace_for_request


def database_problem() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            if cursor.fetchone() is None:
                return "the pgvector extension is not installed (run migrations)"
    except Exception as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return ""


class HealthView(APIView):
    """200 when the database, the embedding model and any configured reranker are ready, else 503."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    @extend_schema(responses={200: dict, 503: dict})
    def get(self, request):
        problems = model_problems()
        checks = {"database": database_problem(), **{name: problems.get(name, "") for name in configured_models()}}
        missing = {name: problem for name, problem in checks.items() if problem}
        body = {
            "status": "ok" if not missing else "unavailable",
            "checks": {name: problem or "ok" for name, problem in checks.items()},
        }
        return Response(body, status=503 if missing else 200)


class StatsView(APIView):
    """Counts and the embedding model; one workspace's when one is named or the key is scoped."""

    @extend_schema(responses=dict)
    def get(self, request):
        workspace = None
        if (
            request.headers.get(WORKSPACE_HEADER)
            or request.query_params.get("workspace_id")
            or request.user.workspace_id
        ):
            workspace = workspace_for_request(request)
        body = stats_for(workspace=workspace)
        embedder = get_embedder()
        body["embedding"] = {
            "provider": embedder.provider,
            "model": embedder.model_name,
            "dimension": embedder.dimension,
        }
        return Response(body)
