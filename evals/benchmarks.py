"""Speed, always as a ratio against a baseline measured in the same run.

ingest: documents through the ingestion services into a fresh workspace,
against the raw encoder embedding the very same chunk texts.
search: /search server-side latency against its own parts (query embedding
plus the SQL of both legs), so the overhead of everything else shows.
"""

import statistics
import time
from dataclasses import dataclass

from django.test import Client, override_settings

from documents.markdown import embedding_text
from documents.models import Chunk, Document
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
