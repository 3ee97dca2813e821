"""Results grouped by document: a document's place from its chunks.

A document scores its best chunk plus DOCUMENT_NEXT_CHUNK_SHARE of its second best, so a long
document with several matching passages can rank above one lucky passage of another (0: a
document is as good as its best chunk). Used by evaluation, the inspector and `/search` (and
MCP `search_documents`) with `group_by_document`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings


@dataclass
class DocumentHit:
    document_id: str
    score: float
    chunk_ids: list[int] = field(default_factory=list)  # its chunks among the results, best first


def rank_documents(
    order: Sequence[tuple[int, float]], chunk_document: dict[int, str], *, next_share: float
) -> list[str]:
    """Document ids, best first, from (chunk id, score) pairs best first."""
    return [hit.document_id for hit in group_chunks(order, chunk_document, next_share=next_share)]


def group_chunks(
    order: Sequence[tuple[int, float]], chunk_document: dict[int, str], *, next_share: float
) -> list[DocumentHit]:
    hits: dict[str, DocumentHit] = {}
    scores: dict[str, list[float]] = {}
    for chunk_id, score in order:
        document_id = chunk_document.get(chunk_id)
        if document_id is None:
            continue
        hit = hits.setdefault(document_id, DocumentHit(document_id, 0.0))
        hit.chunk_ids.append(chunk_id)
        scores.setdefault(document_id, []).append(score)
    for document_id, hit in hits.items():
        best = scores[document_id]
        hit.score = best[0] + next_share * (best[1] if len(best) > 1 else 0.0)
    if next_share == 0:
        return list(hits.values())  # already in the order of their best chunks
    return sorted(hits.values(), key=lambda hit: (-hit.score, hit.document_id))


def group_results(results) -> list[DocumentHit]:
    """Served search results (retrieval.pipeline.SearchResult) by document. Without a reranker
    the fused scores count; after one, its order does (its scores are not on the fused scale)."""
    reranked = any(result.scores.rerank_rank is not None for result in results)
    order = [
        (result.chunk.pk, 1.0 / result.rank if reranked else (result.scores.fused_score or 0.0)) for result in results
    ]
    chunk_document = {result.chunk.pk: str(result.chunk.document_id) for result in results}
    return group_chunks(order, chunk_document, next_share=settings.DOCUMENT_NEXT_CHUNK_SHARE)
