"""Retrieval evaluation through the same search service as /search.

A BEIR dataset is loaded into its own workspace with the ordinary ingestion
services (unchanged documents are skipped, so a second run embeds nothing),
each query runs through `search_chunks`, chunk hits are mapped to documents
by their best chunk, and nDCG@10, Recall@100 and MRR@10 are averaged.
"""

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test import override_settings
from django.utils.text import slugify

from documents.markdown import content_hash
from documents.models import Document, DocumentStatus
from documents.services import DocumentInput, documents_upload
from evals.beir import BeirDataset, document_markdown
from providers.catalogue import model_settings
from providers.embeddings import get_embedder
from providers.rerank import get_reranker
from retrieval.evaluation.metrics import mean, mrr_at_k, ndcg_at_k, recall_at_k
from retrieval.evaluation.scoring import percentile
from retrieval.pipeline import search_chunks
from workspaces.models import Workspace
from workspaces.services import workspace_get_or_create

CHUNK_DEPTH = 200  # chunk hits per query; enough for 100 distinct documents


@dataclass
class ModeReport:
    mode: str
    ndcg_at_10: float
    recall_at_100: float
    mrr_at_10: float
    queries: int
    latency_ms_p50: float
    latency_ms_p95: float
    per_query_ndcg: dict[str, float] = field(default_factory=dict, repr=False)

    def metrics(self) -> dict[str, float]:
        return {"ndcg@10": self.ndcg_at_10, "recall@100": self.recall_at_100, "mrr@10": self.mrr_at_10}


def load_dataset(
    dataset: BeirDataset, *, workspace_id: str, progress: Callable[[int], None] | None = None
) -> tuple[Workspace, int]:
    """Make the workspace hold exactly the dataset's documents, indexed with the current model.

    Returns the workspace and how many documents had to be (re)indexed.
    """
    workspace = workspace_get_or_create(workspace_id=workspace_id)
    model = get_embedder().model_name
    current = {
        source: (digest, status, indexed_with)
        for source, digest, status, indexed_with in Document.objects.filter(workspace=workspace).values_list(
            "source_uri", "content_hash", "status", "embedding_model"
        )
    }
    stale = set(current) - set(dataset.corpus)
    if stale:
        Document.objects.filter(workspace=workspace, source_uri__in=stale).delete()
    todo = []
    for doc_id, document in dataset.corpus.items():
        markdown = document_markdown(document)
        if current.get(doc_id) != (content_hash(markdown), DocumentStatus.COMPLETED, model):
            todo.append((doc_id, markdown))
    inputs = [
        DocumentInput(content=markdown, source_uri=doc_id, metadata={"beir_id": doc_id}) for doc_id, markdown in todo
    ]
    report = documents_upload(workspace=workspace, inputs=inputs, index_now=True, progress=progress)
    return workspace, report.indexed


def eval_workspace_id(dataset_name: str, model_name: str) -> str:
    """One workspace per dataset and model, so comparing models never re-embeds a corpus."""
    return f"eval-{dataset_name}-{slugify(Path(model_name).name or model_name)}".lower()[:64]


@contextmanager
def embedding_model_in_use(name: str | None):
    """The block runs with embedding model `name` (None: as configured).

    Another catalogue model brings the settings that follow it (dimension, chunk
    budget, chat similarity floors), as it would if it were configured; the
    configured model keeps the settings as they are.
    """
    if not name or name == settings.EMBEDDING_MODEL:
        yield get_embedder()
        return
    with override_settings(EMBEDDING_MODEL=name, **model_settings(name)):
        yield get_embedder()


@contextmanager
def reranker_in_use():
    """The configured reranker for the block, or the catalogue cross-encoder when none is."""
    if settings.RERANKER_PROVIDER not in ("none", ""):
        yield get_reranker()
        return
    with override_settings(RERANKER_PROVIDER="cross-encoder", RERANKER_MODEL=""):
        yield get_reranker()


def available_modes() -> list[str]:
    modes = ["vector", "keyword", "hybrid"]
    if get_reranker() is not None:
        modes.append("hybrid+rerank")
    return modes


def evaluate(
    dataset: BeirDataset, *, workspace: Workspace, modes: list[str], on_query: Callable[[], None] | None = None
) -> list[ModeReport]:
    reports = []
    for mode in modes:
        ndcg, recall, mrr, latencies = {}, [], [], []
        for query_id, text in dataset.queries.items():
            started = time.perf_counter()
            outcome = search_chunks(
                workspace=workspace,
                query=text,
                limit=CHUNK_DEPTH,
                candidates=CHUNK_DEPTH,
                mode="hybrid" if mode == "hybrid+rerank" else mode,
                rerank=mode == "hybrid+rerank",
                min_similarity=-1.0,
            )
            latencies.append((time.perf_counter() - started) * 1000)
            ranked = best_chunk_per_document(outcome.results)
            relevant = dataset.qrels[query_id]
            ndcg[query_id] = ndcg_at_k(ranked, relevant, 10)
            recall.append(recall_at_k(ranked, relevant, 100))
            mrr.append(mrr_at_k(ranked, relevant, 10))
            if on_query:
                on_query()
        reports.append(
            ModeReport(
                mode=mode,
                ndcg_at_10=round(mean(list(ndcg.values())), 4),
                recall_at_100=round(mean(recall), 4),
                mrr_at_10=round(mean(mrr), 4),
                queries=len(ndcg),
                latency_ms_p50=round(statistics.median(latencies), 1) if latencies else 0.0,
                latency_ms_p95=round(percentile(latencies, 95), 1),
                per_query_ndcg=ndcg,
            )
        )
    return reports


def best_chunk_per_document(results) -> list[str]:
    """Document ids in the order of their best-ranked chunk."""
    seen: dict[str, None] = {}
    for result in results:
        seen.setdefault(result.chunk.document.source_uri, None)
    return list(seen)
