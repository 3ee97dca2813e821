"""A small workspace beside a large one: does it still get all its own rows, and none of the other's?

The large workspace is grown in SQL (random unit vectors, one shared word in
every chunk), so 100,000 chunks take seconds rather than an embedding run;
the small one is made the same way. Each query's vector leg is compared with
an exact scan of the workspace, and both legs' rows are checked to belong to it.
"""

import random
import statistics
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from documents.models import Document, DocumentStatus
from retrieval.search.filters import SearchFilters
from retrieval.search.keyword import keyword_search
from retrieval.search.vector import vector_literal, vector_search
from workspaces.models import Workspace

HNSW_INDEX = "chunk_embedding_hnsw"
SHARED_WORD = "isolation"  # in every grown chunk of every workspace, so the keyword leg matches them all


def grow_workspaces(*, sizes: dict[Workspace, int], model_name: str) -> None:
    """Grow each workspace by its count of chunks, then build the HNSW index over them all.

    Building the graph once is several times faster than inserting 100,000 rows
    into it; the index is dropped and rebuilt with its own definition. Run it
    inside a transaction that is rolled back, on a database no one else is
    using: until then, the table is locked.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [HNSW_INDEX])
        (definition,) = cursor.fetchone()
        cursor.execute(f"DROP INDEX {HNSW_INDEX}")  # noqa: S608  (a fixed name)
        for seed, (workspace, chunks) in enumerate(sizes.items(), start=1):
            grow_workspace(workspace=workspace, chunks=chunks, model_name=model_name, seed=seed / 100)
        # The foreign keys' deferred checks must run before the table can be indexed.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(definition)
        # As autovacuum would: the planner's row estimates are what make it choose the graph.
        cursor.execute("ANALYZE documents_chunk, documents_document")


def grow_workspace(*, workspace: Workspace, chunks: int, model_name: str, seed: float) -> Document:
    """One completed document of `chunks` chunks with random unit vectors, inserted in one statement."""
    document = Document.objects.create(
        workspace=workspace,
        title=f"{chunks} grown chunks",
        content=SHARED_WORD,
        content_hash=f"grown-{workspace.pk}-{chunks}",
        status=DocumentStatus.COMPLETED,
        embedding_model=model_name,
        embedding_dimension=settings.EMBEDDING_DIMENSION,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute(
            """
            INSERT INTO documents_chunk (document_id, workspace_id, ordinal, heading_path, text, token_count,
                                         content_hash, embedding, search_vector, term_freqs, term_count, created_at)
            SELECT %(document_id)s, %(workspace_id)s, n, '[]'::jsonb, %(word)s || ' ' || n, 2, md5(n::text),
                   (SELECT (array_agg(v / norm))::vector
                      FROM (SELECT v, sqrt(sum(v * v) OVER ()) AS norm
                              FROM (SELECT random_normal() + n * 0 AS v FROM generate_series(1, %(dimension)s)) AS r)
                           AS unit),
                   to_tsvector('simple', %(word)s), jsonb_build_object(%(word)s, 1), 1, now()
              FROM generate_series(0, %(chunks)s - 1) AS n
            """,
            {
                "document_id": document.pk,
                "workspace_id": workspace.pk,
                "word": SHARED_WORD,
                "dimension": settings.EMBEDDING_DIMENSION,
                "chunks": chunks,
            },
        )
    return document


@dataclass
class IsolationResult:
    queries: int
    limit: int
    vector_rows: list[int] = field(default_factory=list)
    vector_recall: list[float] = field(default_factory=list)  # against an exact scan of the workspace
    keyword_rows: list[int] = field(default_factory=list)
    foreign_rows: int = 0  # rows of another workspace, in either leg
    vector_ms: list[float] = field(default_factory=list)

    @property
    def mean_vector_rows(self) -> float:
        return statistics.fmean(self.vector_rows)

    @property
    def mean_recall(self) -> float:
        return statistics.fmean(self.vector_recall)

    @property
    def min_keyword_rows(self) -> int:
        return min(self.keyword_rows)


def measure_isolation(*, workspace: Workspace, model_name: str, queries: int, limit: int, seed: int) -> IsolationResult:
    """Both legs of `queries` random queries in `workspace`, against what an exact scan returns."""
    result = IsolationResult(queries=queries, limit=limit)
    own = set(workspace_chunk_ids(workspace))
    for query_vector in random_unit_vectors(queries, seed=seed):
        with transaction.atomic():
            started = time.perf_counter()
            hits = vector_search(
                workspace_id=workspace.pk,
                embedding=query_vector,
                model_name=model_name,
                filters=SearchFilters(),
                limit=limit,
            )
            result.vector_ms.append((time.perf_counter() - started) * 1000)
            keyword_hits = keyword_search(
                workspace_id=workspace.pk, query=SHARED_WORD, language="simple", filters=SearchFilters(), limit=limit
            )
        found = [hit.chunk_id for hit in hits]
        expected = exact_nearest(workspace=workspace, embedding=query_vector, limit=limit)
        result.vector_rows.append(len(found))
        result.vector_recall.append(len(set(found) & set(expected)) / len(expected))
        result.keyword_rows.append(len(keyword_hits))
        result.foreign_rows += len(set(found) - own) + len({hit.chunk_id for hit in keyword_hits} - own)
    return result


def workspace_chunk_ids(workspace: Workspace) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM documents_chunk WHERE workspace_id = %s", [workspace.pk])
        return [row[0] for row in cursor.fetchall()]


def exact_nearest(*, workspace: Workspace, embedding: list[float], limit: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id FROM documents_chunk WHERE workspace_id = %s
             ORDER BY (embedding <=> %s::vector) + 0, id LIMIT %s
            """,
            [workspace.pk, vector_literal(embedding), limit],
        )
        return [row[0] for row in cursor.fetchall()]


def random_unit_vectors(count: int, *, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    vectors = []
    for _ in range(count):
        values = [rng.gauss(0, 1) for _ in range(settings.EMBEDDING_DIMENSION)]
        norm = sum(value * value for value in values) ** 0.5
        vectors.append([value / norm for value in values])
    return vectors
