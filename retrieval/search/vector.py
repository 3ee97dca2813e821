"""The vector leg: cosine distance, exact for small workspaces, through the HNSW index for large ones.

One HNSW graph holds every workspace's chunks. Filtered by workspace, its scan
walks the graph's nearest neighbours of any workspace and drops the others' rows:
beside a large workspace, a small one's scan ends (ef_search, max_scan_tuples)
before it has found its own nearest rows and returns too few, or the wrong ones.
Below VECTOR_EXACT_SEARCH_MAX_CHUNKS a workspace is compared exactly (through the
workspace index, a few milliseconds); above it, the scan may visit as many rows
as the workspace's share of the graph needs to yield `limit` of its own.
"""

import math
from dataclasses import dataclass

from django.conf import settings

from core.database import search_connection
from retrieval.search.filters import SearchFilters


@dataclass(frozen=True)
class VectorHit:
    chunk_id: int
    similarity: float


def vector_search(
    *, workspace_id: str, embedding: list[float], model_name: str, filters: SearchFilters, limit: int
) -> list[VectorHit]:
    """Nearest chunks of completed documents made with the current model, best first.

    Iterative index scans (pgvector 0.8) let the HNSW scan continue past rows
    the filters reject, so a filtered search still returns `limit` rows. Must
    run inside a transaction: the settings are SET LOCAL.
    """
    filter_sql, params = filters.sql()
    with search_connection().cursor() as cursor:
        # Exact: a search within named documents, or a small workspace ("+ 0"
        # keeps the planner off the approximate HNSW index).
        workspace_chunks, all_chunks = (0, 0) if filters.document_ids else _chunk_counts(cursor, workspace_id)
        exact = bool(filters.document_ids) or workspace_chunks <= settings.VECTOR_EXACT_SEARCH_MAX_CHUNKS
        order = "(c.embedding <=> %(embedding)s::vector) + 0" if exact else "distance"
        if not exact:
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            cursor.execute(
                "SELECT set_config('hnsw.ef_search', %s, true), set_config('hnsw.max_scan_tuples', %s, true)",
                [str(max(settings.HNSW_EF_SEARCH, limit)), str(_max_scan_tuples(limit, workspace_chunks, all_chunks))],
            )
        cursor.execute(
            f"""
            WITH nearest AS MATERIALIZED (
                SELECT c.id, c.embedding <=> %(embedding)s::vector AS distance
                  FROM documents_chunk AS c
                  JOIN documents_document AS d ON d.id = c.document_id
                 WHERE c.workspace_id = %(workspace_id)s
                   AND d.status = 'completed'
                   AND d.embedding_model = %(model_name)s
                   {filter_sql}
                 ORDER BY {order}
                 LIMIT %(limit)s
            )
            SELECT id, 1 - distance FROM nearest ORDER BY distance, id
            """,  # noqa: S608  (filter_sql is built from fixed fragments; values are parameters)
            {
                "embedding": vector_literal(embedding),
                "workspace_id": workspace_id,
                "model_name": model_name,
                "limit": limit,
                **params,
            },
        )
        return [VectorHit(chunk_id, float(similarity)) for chunk_id, similarity in cursor.fetchall()]


def _chunk_counts(cursor, workspace_id: str) -> tuple[int, int]:
    """The workspace's chunks and every workspace's, from the BM25 statistics kept per workspace."""
    cursor.execute(
        """
        SELECT coalesce(sum(chunk_count) FILTER (WHERE workspace_id = %s), 0), coalesce(sum(chunk_count), 0)
          FROM retrieval_corpusstat
        """,
        [workspace_id],
    )
    workspace_chunks, all_chunks = cursor.fetchone()
    return int(workspace_chunks), int(all_chunks)


# pgvector's default: rows an iterative scan visits before it gives up.
DEFAULT_MAX_SCAN_TUPLES = 20_000


def _max_scan_tuples(limit: int, workspace_chunks: int, all_chunks: int) -> int:
    """Enough rows for `limit` of the workspace's own, with room to spare, wherever its rows lie in the graph."""
    share = max(workspace_chunks, 1) / max(all_chunks, 1)
    return max(DEFAULT_MAX_SCAN_TUPLES, math.ceil(4 * limit / share))


def similarities(*, chunk_ids: list[int], embedding: list[float], model_name: str) -> dict[int, float]:
    """Cosine similarity of the query to given chunks (for hits the vector leg did not return).

    Only chunks embedded by `model_name`: another model's vectors live in another
    space, and comparing with them would give a meaningless number.
    """
    if not chunk_ids:
        return {}
    with search_connection().cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id, 1 - (c.embedding <=> %s::vector)
              FROM documents_chunk AS c
              JOIN documents_document AS d ON d.id = c.document_id
             WHERE c.id = ANY(%s) AND d.embedding_model = %s AND c.embedding IS NOT NULL
            """,
            [vector_literal(embedding), chunk_ids, model_name],
        )
        return {chunk_id: float(similarity) for chunk_id, similarity in cursor.fetchall()}


def vector_literal(embedding: list[float]) -> str:
    return "[" + ",".join(f"{value:.7g}" for value in embedding) + "]"
