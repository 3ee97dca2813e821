"""Weighted reciprocal rank fusion: score = sum over legs of weight / (k + rank)."""

from collections.abc import Sequence


def reciprocal_rank_fusion(rankings: Sequence[tuple[Sequence[int], float]], *, k: int) -> dict[int, float]:
    """Fused scores for ids ranked by several legs; `rankings` holds (ids best first, weight)."""
    fused: dict[int, float] = {}
    for ids, weight in rankings:
        if weight <= 0:
            continue
        for rank, item in enumerate(ids, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused
