"""The search pipeline behind /search, /context, chat and the eval command.

query -> embedding -> vector leg || keyword leg -> fusion (the workspace's own, or the
site's: retrieval.fusion_config) -> (rerank) -> similarity threshold -> top `limit`, every
result carrying its rank and score at each stage so a person can see why it ranked where it did.
"""

import time
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.db import transaction

from core.database import search_alias, search_reads
from core.metrics import observe_stages_ms
from documents.models import Chunk
from providers.embeddings import get_embedder
from providers.rerank import get_reranker
from retrieval.fusion_config import fusion_settings_for
from retrieval.search.filters import SearchFilters
from retrieval.search.fusion import FusionSettings, Leg, fuse, reciprocal_rank_fusion
from retrieval.search.keyword import keyword_search
from retrieval.search.vector import similarities, vector_search
from workspaces.models import Workspace

SearchMode = Literal["hybrid", "vector", "keyword"]
# Never needed to show a result, and costly to decode per row.
HEAVY_FIELDS = ("embedding", "search_vector", "term_freqs", "document__content")


@dataclass
class StageScores:
    vector_rank: int | None = None
    vector_similarity: float | None = None
    keyword_rank: int | None = None
    keyword_score: float | None = None  # BM25 divided by this query's best BM25: [0, 1]
    keyword_bm25: float | None = None
    fused_rank: int | None = None
    fused_score: float | None = None
    fusion_vector_part: float | None = None  # convex, adaptive: the normalised vector score
    fusion_keyword_part: float | None = None  # convex, adaptive: the normalised keyword score
    fusion_alpha: float | None = None  # convex, adaptive: the vector leg's share for this query
    rerank_rank: int | None = None
    rerank_score: float | None = None
    rerank_fused_score: float | None = None  # RERANK_MODE=fuse: RRF of fused_rank and rerank_rank


@dataclass
class SearchResult:
    rank: int
    chunk: Chunk
    scores: StageScores


@dataclass
class SearchOutcome:
    results: list[SearchResult]
    timings_ms: dict[str, float] = field(default_factory=dict)
    reranker: str = ""
    fusion: FusionSettings | None = None


@dataclass
class Legs:
    """What each leg found for a query, best first, before fusion; None for a leg not run."""

    vector: list[tuple[int, float]] | None
    keyword: list[tuple[int, float]] | None
    embedding: list[float] | None
    timings_ms: dict[str, float] = field(default_factory=dict)


def search_chunks(
    *,
    workspace: Workspace,
    query: str,
    limit: int = 10,
    filters: SearchFilters | None = None,
    min_similarity: float | None = None,
    mode: SearchMode = "hybrid",
    rerank: bool = True,
    candidates: int | None = None,
    fusion: FusionSettings | None = None,
) -> SearchOutcome:
    """The best chunks of the workspace's completed documents for `query`."""
    filters = filters or SearchFilters()
    fusion = fusion or fusion_settings_for(workspace)
    depth = max(candidates or fusion.depth, limit)
    threshold = settings.SIMILARITY_THRESHOLD if min_similarity is None else min_similarity
    embedder = get_embedder()
    scores: dict[int, StageScores] = {}

    # One transaction on the search database (the replica when configured): the vector leg's
    # settings are SET LOCAL, and both legs see the same snapshot.
    with transaction.atomic(using=search_alias()):
        legs = search_legs(
            workspace=workspace, query=query, filters=filters, depth=depth, mode=mode, embed=threshold > 0
        )
        timings = legs.timings_ms
        for rank, (chunk_id, similarity) in enumerate(legs.vector or [], start=1):
            entry = scores.setdefault(chunk_id, StageScores())
            entry.vector_rank, entry.vector_similarity = rank, similarity
        best = legs.keyword[0][1] if legs.keyword else 1.0
        for rank, (chunk_id, bm25) in enumerate(legs.keyword or [], start=1):
            entry = scores.setdefault(chunk_id, StageScores())
            entry.keyword_rank, entry.keyword_bm25 = rank, bm25
            entry.keyword_score = bm25 / best if best else 0.0

        started = time.perf_counter()
        fused = fuse(legs.vector, legs.keyword, fusion)
        ordered = sorted(fused, key=lambda chunk_id: (-fused[chunk_id].score, chunk_id))
        for rank, chunk_id in enumerate(ordered, start=1):
            entry, parts = scores[chunk_id], fused[chunk_id]
            entry.fused_rank, entry.fused_score = rank, parts.score
            entry.fusion_vector_part, entry.fusion_keyword_part = parts.vector_part, parts.keyword_part
            entry.fusion_alpha = parts.alpha

        embedding = legs.embedding
        if embedding is not None:
            missing = [chunk_id for chunk_id in ordered if scores[chunk_id].vector_similarity is None]
            current = similarities(chunk_ids=missing, embedding=embedding, model_name=embedder.model_name)
            for chunk_id, similarity in current.items():
                scores[chunk_id].vector_similarity = similarity
        if threshold > 0:
            ordered = [chunk_id for chunk_id in ordered if _passes_threshold(scores[chunk_id], threshold)]
        timings["fusion"] = _ms_since(started)

    reranker = get_reranker() if rerank else None
    if reranker is not None and ordered:
        started = time.perf_counter()
        top = ordered[: settings.RERANK_TOP_K]
        reranked = _rerank(reranker, query, top, scores)
        if settings.RERANK_MODE == "fuse":
            reranked = _fuse_with_rerank(top, reranked, scores)
        ordered = reranked + ordered[settings.RERANK_TOP_K :]
        timings["rerank"] = _ms_since(started)

    ordered = ordered[:limit]
    started = time.perf_counter()
    with search_reads():
        chunks = Chunk.objects.select_related("document").defer(*HEAVY_FIELDS).in_bulk(ordered)
    timings["load"] = _ms_since(started)
    results = [
        SearchResult(rank=rank, chunk=chunks[chunk_id], scores=scores[chunk_id])
        for rank, chunk_id in enumerate((chunk_id for chunk_id in ordered if chunk_id in chunks), start=1)
    ]
    # A keyword search without a threshold embeds nothing: its zero is no embedding time.
    observe_stages_ms(timings if embedding is not None else {**timings, "embed": None}, names=METRIC_STAGES)
    return SearchOutcome(
        results=results, timings_ms=timings, reranker=reranker.provider if reranker else "", fusion=fusion
    )


def search_legs(
    *, workspace: Workspace, query: str, filters: SearchFilters, depth: int, mode: SearchMode, embed: bool = False
) -> Legs:
    """Each leg's candidates for `query`, `depth` of them; the query is embedded when the vector
    leg runs or `embed` asks. Run inside a transaction on the search database (see search_chunks):
    tuning calls it once per question and fuses the legs in memory."""
    embedder = get_embedder()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    embedding = embedder.embed_query(query) if mode != "keyword" or embed else None
    timings["embed"] = _ms_since(started)
    vector: Leg | None = None
    keyword: Leg | None = None
    if mode in ("hybrid", "vector"):
        started = time.perf_counter()
        hits = vector_search(
            workspace_id=workspace.pk, embedding=embedding, model_name=embedder.model_name, filters=filters, limit=depth
        )
        timings["vector"] = _ms_since(started)
        vector = [(hit.chunk_id, hit.similarity) for hit in hits]
    if mode in ("hybrid", "keyword"):
        started = time.perf_counter()
        hits = keyword_search(
            workspace_id=workspace.pk, query=query, language=workspace.search_language, filters=filters, limit=depth
        )
        timings["keyword"] = _ms_since(started)
        keyword = [(hit.chunk_id, hit.bm25) for hit in hits]
    return Legs(vector=vector, keyword=keyword, embedding=embedding, timings_ms=timings)


# Timings' keys -> rag_stage_duration_seconds' stages (loading the rows is not a stage of its own).
METRIC_STAGES = {"embed": "embedding", "vector": "vector", "keyword": "keyword", "fusion": "fusion", "rerank": "rerank"}


def _rerank(reranker, query: str, chunk_ids: list[int], scores: dict[int, StageScores]) -> list[int]:
    texts = dict(Chunk.objects.filter(pk__in=chunk_ids).values_list("pk", "text"))
    chunk_ids = [chunk_id for chunk_id in chunk_ids if chunk_id in texts]
    rerank_scores = reranker.rerank(query, [texts[chunk_id] for chunk_id in chunk_ids])
    reranked = sorted(zip(chunk_ids, rerank_scores, strict=True), key=lambda pair: -pair[1])
    for rank, (chunk_id, score) in enumerate(reranked, start=1):
        scores[chunk_id].rerank_rank, scores[chunk_id].rerank_score = rank, float(score)
    return [chunk_id for chunk_id, _ in reranked]


def _passes_threshold(entry: StageScores, threshold: float) -> bool:
    if entry.vector_similarity is None:
        # Awaiting reindex: no vector of this model to compare, so its keyword match stands for it.
        return entry.keyword_rank is not None
    return entry.vector_similarity >= threshold


def _fuse_with_rerank(fused: list[int], reranked: list[int], scores: dict[int, StageScores]) -> list[int]:
    """The hybrid order and the cross-encoder's, fused by RRF: the reranker moves
    candidates without discarding what the two legs agreed on."""
    combined = reciprocal_rank_fusion([(fused, 1.0), (reranked, 1.0)], k=settings.RRF_K)
    for chunk_id, score in combined.items():
        scores[chunk_id].rerank_fused_score = score
    return sorted(reranked, key=lambda chunk_id: (-combined[chunk_id], scores[chunk_id].fused_rank))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
