"""The vector leg: cosine distance through the HNSW index."""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection

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
    # A search within named documents covers few chunks: compare them all
    # exactly ("+ 0" keeps the planner off the approximate HNSW index).
    order = "(c.embedding <=> %(embedding)s::vector) + 0" if filters.document_ids else "distance"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute("SELECT set_config('hnsw.ef_search', %s, true)", [str(max(settings.HNSW_EF_SEARCH, limit))])
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
                "embedding": _vector_literal(embedding),
                "workspace_id": workspace_id,
                "model_name": model_name,
                "limit": limit,
                **params,
            },
        )
        return [VectorHit(chunk_id, float(similarity)) for chunk_id, similarity in cursor.fetchall()]


def similarities(*, chunk_ids: list[int], embedding: list[float], model_name: str) -> dict[int, float]:
    """Cosine similarity of the query to given chunks (for hits the vector leg did not return).

    Only chunks embedded by `model_name`: another model's vectors live in another
    space, and comparing with them would give a meaningless number.
    """
    if not chunk_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id, 1 - (c.embedding <=> %s::vector)
              FROM documents_chunk AS c
              JOIN documents_document AS d ON d.id = c.document_id
             WHERE c.id = ANY(%s) AND d.embedding_model = %s AND c.embedding IS NOT NULL
            """,
            [_vector_literal(embedding), chunk_ids, model_name],
        )
        return {chunk_id: float(similarity) for chunk_id, similarity in cursor.fetchall()}


def _vector_literal(embedding: list[float]) -> str:
    return "[" + ",".join(f"{value:.7g}" for value in embedding) + "]"
