"""Speed, always as a ratio against a baseline measured in the same run.

ingest: documents through the ingestion services into a fresh workspace,
against the raw encoder embedding the very same chunk texts.
search: /search server-side latency against its own parts (query embedding
plus the SQL of both legs), so the overhead of everything else shows.
pages: the server time of the web app's long lists with 10,000 rows behind them,
against the same pages with ten.
"""

import statistics
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from chat.models import ChatLog
from documents.markdown import embedding_text
from documents.models import Chunk, Document, DocumentStatus
from evals.beir import BeirDataset
from evals.retrieval_eval import load_dataset
from providers.embeddings import get_embedder
from retrieval.pipeline import search_chunks
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

    @staticmethod
    def percentile(values: list[float], percent: int) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]

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
    with override_settings(API_KEYS=["bench-key"], API_KEY_ROLES=["viewer"]):
        for query in queries:
            started = time.perf_counter()
            response = client.post(
                "/search",
                {"query": query, "limit": limit, "workspace_id": workspace.pk},
                content_type="application/json",
                HTTP_AUTHORIZATION="Bearer bench-key",
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
