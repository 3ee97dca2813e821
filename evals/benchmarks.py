"""Speed, always as a ratio against a baseline measured in the same run.

ingest: documents through the ingestion services into a fresh workspace,
against the raw encoder embedding the very same chunk texts.
search: /search server-side latency against its own parts (query embedding
plus the SQL of both legs), so the overhead of everything else shows.
search --scale: one workspace grown from a BEIR corpus's chunks to each size,
each leg and the whole pipeline timed there, the keyword leg against scoring
every matching chunk (as it did before its champion lists).
pages: the server time of the web app's long lists with 10,000 rows behind them,
against the same pages with ten.
"""

import statistics
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client, override_settings

from chat.models import ChatLog
from documents.markdown import embedding_text
from documents.models import Chunk, Document, DocumentStatus
from evals.beir import BeirDataset
from evals.retrieval_eval import load_dataset
from providers.embeddings import get_embedder
from retrieval.evaluation.scoring import percentile
from retrieval.pipeline import search_chunks
from retrieval.search.filters import SearchFilters
from retrieval.search.keyword import exact_keyword_search, keyword_search
from retrieval.search.vector import vector_search
from workspaces.models import Workspace


@dataclass
class IngestBenchmark:
    documents: int
    chunks: int
    ingest_seconds: float
    encoder_seconds: float

    @property
    def ingest_chunks_per_second(self) -> float:
        return self.chunks / self.ingest_seconds

    @property
    def encoder_chunks_per_second(self) -> float:
        return self.chunks / self.encoder_seconds

    @property
    def ratio(self) -> float:
        return self.encoder_seconds / self.ingest_seconds


def bench_ingest(dataset: BeirDataset, *, workspace_id: str = "bench-ingest") -> IngestBenchmark:
    embedder = get_embedder()
    embedder.load()
    embedder.embed_documents(["warm up the encoder"] * 8)
    Document.objects.filter(workspace_id=workspace_id).delete()
    started = time.perf_counter()
    workspace, indexed = load_dataset(dataset, workspace_id=workspace_id)
    ingest_seconds = time.perf_counter() - started

    texts = [
        embedding_text(heading_path, text)
        for heading_path, text in Chunk.objects.filter(workspace=workspace).values_list("heading_path", "text")
    ]
    started = time.perf_counter()
    embedder.embed_documents(texts)
    encoder_seconds = time.perf_counter() - started
    return IngestBenchmark(indexed, len(texts), ingest_seconds, encoder_seconds)


@dataclass
class SearchBenchmark:
    queries: int
    chunks: int
    api_ms: list[float]
    pipeline_ms: list[float]
    parts_ms: list[float]  # query embedding + vector SQL + keyword SQL
    embed_ms: list[float]  # the query embedding alone

    percentile = staticmethod(percentile)

    @property
    def overhead_ratio(self) -> float:
        return statistics.median(self.api_ms) / statistics.median(self.parts_ms)


def bench_search(dataset: BeirDataset, *, workspace: Workspace, limit: int = 10) -> SearchBenchmark:
    queries = list(dataset.queries.values())
    search_chunks(workspace=workspace, query=queries[0], limit=limit)  # warm-up
    pipeline_ms, parts_ms, embed_ms, api_ms = [], [], [], []
    for query in queries:
        started = time.perf_counter()
        outcome = search_chunks(workspace=workspace, query=query, limit=limit)
        pipeline_ms.append((time.perf_counter() - started) * 1000)
        timings = outcome.timings_ms
        parts_ms.append(timings.get("embed", 0) + timings.get("vector", 0) + timings.get("keyword", 0))
        embed_ms.append(timings.get("embed", 0))
    client = Client(SERVER_NAME="localhost")
    # A key of its own per run: the per-key rate limit counts each run apart (a run sends 300).
    key = f"bench-{uuid.uuid4().hex}"
    with override_settings(API_KEYS=[key], API_KEY_ROLES=["viewer"]):
        for query in queries:
            started = time.perf_counter()
            response = client.post(
                "/search",
                {"query": query, "limit": limit, "workspace_id": workspace.pk},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {key}",
            )
            api_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"/search answered {response.status_code}: {response.content[:200]!r}")
    return SearchBenchmark(
        queries=len(queries),
        chunks=Chunk.objects.filter(workspace=workspace).count(),
        api_ms=api_ms,
        pipeline_ms=pipeline_ms,
        parts_ms=parts_ms,
        embed_ms=embed_ms,
    )


# --- Pages -------------------------------------------------------------------------------

PAGE_BENCH_ROWS = 10_000


@dataclass
class PageBenchmark:
    """Server time of one list page: with `rows` rows behind it, and with a handful (the baseline)."""

    page: str
    rows: int
    baseline_rows: int
    large_ms: list[float]
    small_ms: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.large_ms) / statistics.median(self.small_ms)


def bench_pages(
    *, pages: dict[str, str], rows: int = PAGE_BENCH_ROWS, baseline_rows: int = 50, requests: int = 30
) -> list[PageBenchmark]:
    """Each page (a name -> path with `{workspace}`) served for a workspace of `rows` documents and
    chat logs, and for one of `baseline_rows` (one full page: the same rows are drawn, only what is
    behind them differs); a staff user asks, as in the browser. The data is removed after."""
    large = _bench_workspace("bench-pages-large", rows)
    small = _bench_workspace("bench-pages-small", baseline_rows)
    user, _ = get_user_model().objects.get_or_create(username="bench-pages", defaults={"is_staff": True})
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    try:
        results = []
        for name, path in pages.items():
            timings = {}
            for workspace in (large, small):
                url = path.format(workspace=workspace.pk)
                _get(client, url)  # warm-up
                timings[workspace.pk] = [_timed_get(client, url) for _ in range(requests)]
            results.append(PageBenchmark(name, rows, baseline_rows, timings[large.pk], timings[small.pk]))
        return results
    finally:
        ChatLog.objects.filter(workspace__in=[large, small]).delete()
        Workspace.objects.filter(pk__in=[large.pk, small.pk]).delete()
        user.delete()


def _bench_workspace(workspace_id: str, rows: int) -> Workspace:
    Workspace.objects.filter(pk=workspace_id).delete()
    workspace = Workspace.objects.create(id=workspace_id, name=workspace_id)
    Document.objects.bulk_create(
        [
            Document(
                workspace=workspace,
                title=f"Document {number}",
                source_uri=f"docs/{number}.md",
                content=f"# Document {number}\n\nText.",
                content_hash=f"{number:064d}",
                status=DocumentStatus.COMPLETED,
            )
            for number in range(rows)
        ],
        batch_size=2000,
    )
    ChatLog.objects.bulk_create(
        [
            ChatLog(
                workspace=workspace,
                question=f"Question {number}?",
                answer=f"Answer {number} [1].",
                refused=number % 10 == 0,
                refusal_reason="low_confidence" if number % 10 == 0 else "",
                latency_ms={"retrieval": 20.0, "generation": 300.0, "total": 330.0},
            )
            for number in range(rows)
        ],
        batch_size=2000,
    )
    return workspace


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:200]!r}")
    return response


def _timed_get(client: Client, url: str) -> float:
    started = time.perf_counter()
    _get(client, url)
    return (time.perf_counter() - started) * 1000


# --- Search at scale ---------------------------------------------------------------------

HNSW_INDEX = "chunk_embedding_hnsw"


@dataclass
class ScalePoint:
    """Latencies at one corpus size (None: that part was not measured at this size)."""

    chunks: int
    keyword_ms: list[float]  # the keyword leg as it searches (champion lists)
    exact_keyword_ms: list[float]  # every matching chunk scored, as before the champion lists
    # Of the 10 best distinct texts by exact BM25 (copies share a text), the share the keyword leg also
    # ranks among its 10 best distinct texts.
    top10_agreement: float
    vector_ms: list[float] | None
    pipeline_ms: list[float] | None  # search_chunks: query embedding, both legs, fusion, no rerank
    text_bytes: int
    list_bytes: int  # the champion lists (both arrays, as stored)
    statistics_bytes: int  # the workspace's retrieval_termstat rows in all


GROW_ROWS_PER_STATEMENT = 50_000


def grow_copies(*, source: Workspace, target: Workspace, chunks: int, model_name: str) -> int:
    """Copy `source`'s chunks into `target` until it holds `chunks`: same text, lexemes and term
    frequencies; the vector moved towards another chunk's (a different one in each copy) and
    normalised again. One document and one INSERT ... SELECT per 50,000 chunks, so the statistics
    triggers merge each lexeme's postings once per statement."""
    source_count = Chunk.objects.filter(workspace=source, embedding__isnull=False).count()
    have = Chunk.objects.filter(workspace=target).count()
    if not source_count:
        raise ValueError(f"workspace {source.pk} has no chunks with vectors to copy")
    while have < chunks:
        take = min(chunks - have, GROW_ROWS_PER_STATEMENT)
        document = Document.objects.create(
            workspace=target,
            title=f"Chunks {have} to {have + take - 1} copied from {source.pk}",
            source_uri=f"copies/{have}",
            content="",
            content_hash=f"copies-{have}",
            status=DocumentStatus.COMPLETED,
            embedding_model=model_name,
            embedding_dimension=settings.EMBEDDING_DIMENSION,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH s AS MATERIALIZED (
                    SELECT c.*, row_number() OVER (ORDER BY c.id) - 1 AS n
                      FROM documents_chunk AS c
                     WHERE c.workspace_id = %(source_id)s AND c.embedding IS NOT NULL
                )
                INSERT INTO documents_chunk (document_id, workspace_id, ordinal, heading_path, text, token_count,
                                             content_hash, embedding, search_vector, term_freqs, term_count,
                                             created_at)
                SELECT %(document_id)s, %(workspace_id)s, g - %(have)s, s.heading_path, s.text, s.token_count,
                       s.content_hash, l2_normalize(s.embedding + other.embedding * %(jitter)s::vector),
                       s.search_vector, s.term_freqs, s.term_count, now()
                  FROM generate_series(%(have)s::bigint, %(have)s::bigint + %(take)s - 1) AS g
                  JOIN s ON s.n = g %% %(count)s
                  JOIN s AS other ON other.n = (g %% %(count)s + 1 + (g / %(count)s) %% 97) %% %(count)s
                """,
                {
                    "document_id": document.pk,
                    "workspace_id": target.pk,
                    "source_id": source.pk,
                    "jitter": "[" + ",".join(["0.15"] * settings.EMBEDDING_DIMENSION) + "]",
                    "have": have,
                    "take": take,
                    "count": source_count,
                },
            )
            have += cursor.rowcount
    return have


def bench_search_scale(
    dataset: BeirDataset,
    *,
    source: Workspace,
    sizes: list[int],
    model_name: str,
    vector_max_chunks: int,
    baseline_queries: int,
    progress=lambda message: None,
) -> list[ScalePoint]:
    """Grow one workspace from `source`'s chunks to each size in turn and time the search there.

    Runs in a transaction that is rolled back: nothing stays behind. The HNSW index is dropped
    while the chunks are copied and built again for each size up to `vector_max_chunks` (above it
    the vector leg and the whole pipeline are not timed: building the graph takes too long here).
    """
    queries = list(dataset.queries.values())
    embedder = get_embedder()
    embeddings = [embedder.embed_query(query) for query in queries]
    language = source.search_language
    depth = settings.SEARCH_CANDIDATES
    points = []
    with transaction.atomic():
        target = Workspace.objects.create(id="bench-scale", name="Search at scale", search_language=language)
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [HNSW_INDEX])
            (definition,) = cursor.fetchone()
            cursor.execute(f"DROP INDEX {HNSW_INDEX}")  # noqa: S608  (a fixed name)
        for size in sorted(sizes):
            started = time.perf_counter()
            grow_copies(source=source, target=target, chunks=size, model_name=model_name)
            progress(f"{size:,} chunks grown in {time.perf_counter() - started:.0f} s")
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ANALYZE documents_chunk, documents_document, retrieval_termstat")
            with_vectors = size <= vector_max_chunks
            if with_vectors:
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")  # noqa: S608  (a fixed name)
                    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                    cursor.execute(definition)
                progress(f"HNSW index over every chunk built in {time.perf_counter() - started:.0f} s")

            def keyword(query, exact=False):
                function = exact_keyword_search if exact else keyword_search
                return function(
                    workspace_id=target.pk, query=query, language=language, filters=SearchFilters(), limit=depth
                )

            keyword(queries[0])  # warm-up
            keyword_ms, exact_ms, agreement = [], [], []
            for number, query in enumerate(queries):
                started = time.perf_counter()
                hits = keyword(query)
                keyword_ms.append(_ms(started))
                if number < baseline_queries:
                    started = time.perf_counter()
                    exact = keyword(query, exact=True)
                    exact_ms.append(_ms(started))
                    best = _best_texts(exact)
                    if best:
                        agreement.append(len(best & _best_texts(hits)) / len(best))
            vector_ms = pipeline_ms = None
            if with_vectors:
                vector_ms, pipeline_ms = [], []
                for embedding in embeddings:
                    with transaction.atomic():
                        started = time.perf_counter()
                        vector_search(
                            workspace_id=target.pk,
                            embedding=embedding,
                            model_name=model_name,
                            filters=SearchFilters(),
                            limit=depth,
                        )
                        vector_ms.append(_ms(started))
                search_chunks(workspace=target, query=queries[0], limit=10, rerank=False)  # warm-up
                for query in queries:
                    started = time.perf_counter()
                    search_chunks(workspace=target, query=query, limit=10, rerank=False)
                    pipeline_ms.append(_ms(started))
            text_bytes, list_bytes, statistics_bytes = _storage(target)
            points.append(
                ScalePoint(
                    chunks=Chunk.objects.filter(workspace=target).count(),
                    keyword_ms=keyword_ms,
                    exact_keyword_ms=exact_ms,
                    top10_agreement=statistics.fmean(agreement) if agreement else 1.0,
                    vector_ms=vector_ms,
                    pipeline_ms=pipeline_ms,
                    text_bytes=text_bytes,
                    list_bytes=list_bytes,
                    statistics_bytes=statistics_bytes,
                )
            )
            progress(describe_scale_point(points[-1]))
        transaction.set_rollback(True)
    return points


def _best_texts(hits, count: int = 10) -> set[str]:
    """The first `count` distinct texts (content hashes) of a ranking."""
    hashes = dict(Chunk.objects.filter(pk__in=[hit.chunk_id for hit in hits]).values_list("pk", "content_hash"))
    best: list[str] = []
    for hit in hits:
        if hashes[hit.chunk_id] not in best:
            best.append(hashes[hit.chunk_id])
    return set(best[:count])


def _storage(workspace: Workspace) -> tuple[int, int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(octet_length(text)), 0) FROM documents_chunk WHERE workspace_id = %s", [workspace.pk]
        )
        (text_bytes,) = cursor.fetchone()
        cursor.execute(
            """
            SELECT coalesce(sum(pg_column_size(champion_chunks) + pg_column_size(champion_impacts)), 0),
                   coalesce(sum(pg_column_size(t.*)), 0)
              FROM retrieval_termstat AS t WHERE workspace_id = %s
            """,
            [workspace.pk],
        )
        list_bytes, statistics_bytes = cursor.fetchone()
    return int(text_bytes), int(list_bytes), int(statistics_bytes)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def describe_scale_point(point: ScalePoint) -> str:
    p = SearchBenchmark.percentile

    def pair(values):
        return f"p50 {statistics.median(values):.1f} ms, p95 {p(values, 95):.1f} ms" if values else "not measured"

    return (
        f"{point.chunks:,} chunks: keyword leg {pair(point.keyword_ms)} ({len(point.keyword_ms)} queries); "
        f"every matching chunk scored {pair(point.exact_keyword_ms)} ({len(point.exact_keyword_ms)} queries), "
        f"10 best texts agree {point.top10_agreement:.3f}; vector leg {pair(point.vector_ms)}; "
        f"pipeline (embedding, both legs, no rerank) {pair(point.pipeline_ms)}; champion lists "
        f"{point.list_bytes / 2**20:.1f} MiB ({point.list_bytes / max(point.text_bytes, 1):.2f}x the text, "
        f"{point.text_bytes / 2**20:.1f} MiB; term statistics in all {point.statistics_bytes / 2**20:.1f} MiB)"
    )


def plot_scale(points: list[ScalePoint], path) -> None:
    """Latency (p50 dashed, p95 solid) against corpus size, log-log."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 5))
    series = [
        ("keyword leg (champion lists)", "keyword_ms", "tab:blue"),
        ("keyword leg, every match scored (before)", "exact_keyword_ms", "tab:gray"),
        ("vector leg", "vector_ms", "tab:green"),
        ("pipeline, embedding included, no rerank", "pipeline_ms", "tab:red"),
    ]
    for label, attribute, colour in series:
        measured = [(point.chunks, getattr(point, attribute)) for point in points if getattr(point, attribute)]
        if not measured:
            continue
        sizes = [chunks for chunks, _ in measured]
        axes.plot(sizes, [SearchBenchmark.percentile(v, 95) for _, v in measured], "o-", color=colour, label=label)
        axes.plot(sizes, [statistics.median(v) for _, v in measured], "o--", color=colour, alpha=0.6)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("chunks in the workspace")
    axes.set_ylabel("ms (solid p95, dashed p50)")
    axes.set_title("Search latency against corpus size (SciFact copied, 2 cores)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)
