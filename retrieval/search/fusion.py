"""Fusing the vector and keyword legs into one order.

Three functions, chosen per workspace (workspaces.retrieval) or by setting:

- `rrf`: weighted reciprocal rank fusion, weight / (k + rank) summed over the legs. Only
  ranks count, so it needs no calibration, but it throws away how far apart scores are.
- `convex`: alpha * vector + (1 - alpha) * keyword over scores normalised per query (min-max
  over the leg's candidates, or z-scores); a candidate one leg did not return scores that leg's
  floor. Bruch et al. (ACM TOIS 2023) find it beats RRF in and out of domain once alpha is
  tuned on a few labelled queries.
- `adaptive`: convex, with alpha moved per query by how sure the keyword leg is: a query
  whose best BM25 stands far above its tenth (a rare word, a name, a code) leans on the
  keyword leg, a flat keyword ranking on the vector leg.

Every function returns, per candidate, the fused score and what it was made of, so the
inspector can show why a result ranked where it did.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

FusionMethod = Literal["rrf", "convex", "adaptive"]
Normalization = Literal["minmax", "zscore"]
FUSION_METHODS: tuple[str, ...] = ("rrf", "convex", "adaptive")
NORMALIZATIONS: tuple[str, ...] = ("minmax", "zscore")

# A leg's candidates, best first: (chunk id, the leg's own score).
Leg = Sequence[tuple[int, float]]


@dataclass(frozen=True)
class FusionSettings:
    """How a search fuses its legs; `depth` is how many candidates each leg returns."""

    method: FusionMethod = "rrf"
    rrf_k: int = 10
    semantic_weight: float = 1.0
    keyword_weight: float = 1.0
    alpha: float = 0.5  # convex and adaptive: the vector leg's share
    normalization: Normalization = "minmax"
    adaptive_strength: float = 0.5  # adaptive: how far keyword confidence moves alpha
    depth: int = 100

    def describe(self) -> str:
        if self.method == "rrf":
            return f"rrf k={self.rrf_k} weights {self.semantic_weight:g}/{self.keyword_weight:g}, depth {self.depth}"
        extra = f", strength {self.adaptive_strength:g}" if self.method == "adaptive" else ""
        return f"{self.method} alpha={self.alpha:g} {self.normalization}{extra}, depth {self.depth}"


@dataclass(frozen=True)
class Fused:
    score: float
    vector_part: float | None = None  # convex/adaptive: the normalised vector score
    keyword_part: float | None = None  # convex/adaptive: the normalised keyword score
    alpha: float | None = None  # the vector leg's share used for this query


def fuse(vector: Leg | None, keyword: Leg | None, fusion: FusionSettings) -> dict[int, Fused]:
    """Fused scores for every candidate of either leg (a leg left out: None)."""
    if fusion.method == "rrf" or vector is None or keyword is None:
        # One leg alone needs no calibration: its own order, by RRF of that leg.
        rankings = []
        if vector is not None:
            rankings.append(
                ([chunk_id for chunk_id, _ in vector], fusion.semantic_weight if keyword is not None else 1.0)
            )
        if keyword is not None:
            rankings.append(
                ([chunk_id for chunk_id, _ in keyword], fusion.keyword_weight if vector is not None else 1.0)
            )
        return {chunk_id: Fused(score) for chunk_id, score in reciprocal_rank_fusion(rankings, k=fusion.rrf_k).items()}
    alpha = fusion.alpha
    if fusion.method == "adaptive":
        alpha = adaptive_alpha(keyword, base=fusion.alpha, strength=fusion.adaptive_strength)
    vector_scores = normalized(vector, fusion.normalization)
    keyword_scores = normalized(keyword, fusion.normalization)
    vector_floor = min(vector_scores.values(), default=0.0)
    keyword_floor = min(keyword_scores.values(), default=0.0)
    fused = {}
    for chunk_id in vector_scores.keys() | keyword_scores.keys():
        vector_part = vector_scores.get(chunk_id, vector_floor)
        keyword_part = keyword_scores.get(chunk_id, keyword_floor)
        fused[chunk_id] = Fused(
            alpha * vector_part + (1 - alpha) * keyword_part,
            vector_part=vector_part,
            keyword_part=keyword_part,
            alpha=alpha,
        )
    return fused


def reciprocal_rank_fusion(rankings: Sequence[tuple[Sequence[int], float]], *, k: int) -> dict[int, float]:
    """Fused scores for ids ranked by several legs; `rankings` holds (ids best first, weight)."""
    fused: dict[int, float] = {}
    for ids, weight in rankings:
        if weight <= 0:
            continue
        for rank, item in enumerate(ids, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def normalized(leg: Leg, normalization: Normalization) -> dict[int, float]:
    """A leg's scores on a common scale: min-max to [0, 1], or z-scores.

    A z-score leg is shifted so its floor is 0 (a candidate the leg did not return scores
    the leg's worst), which keeps the two legs' missing candidates comparable.
    """
    if not leg:
        return {}
    values = [score for _, score in leg]
    if normalization == "zscore":
        mean = statistics.fmean(values)
        spread = statistics.pstdev(values) if len(values) > 1 else 0.0
        if spread <= 1e-12:
            return {chunk_id: 0.0 for chunk_id, _ in leg}
        floor = (min(values) - mean) / spread
        return {chunk_id: (score - mean) / spread - floor for chunk_id, score in leg}
    low, high = min(values), max(values)
    if high - low <= 1e-12:
        return {chunk_id: 1.0 for chunk_id, _ in leg}
    return {chunk_id: (score - low) / (high - low) for chunk_id, score in leg}


def keyword_confidence(keyword: Leg) -> float:
    """How far the best BM25 stands above the tenth, in [0, 1]: 1 for a lone clear match."""
    if not keyword:
        return 0.0
    best = keyword[0][1]
    tenth = keyword[min(9, len(keyword) - 1)][1] if len(keyword) > 1 else 0.0
    return max(0.0, min(1.0, (best - tenth) / best)) if best > 0 else 0.0


def adaptive_alpha(keyword: Leg, *, base: float, strength: float) -> float:
    """`base` moved towards the keyword leg when it is sure and towards the vector leg when it
    is not: a logistic step around a confidence of one half, bounded to [0.05, 0.95]."""
    confidence = keyword_confidence(keyword)
    shift = strength * (2 / (1 + math.exp(-8 * (confidence - 0.5))) - 1)  # in (-strength, strength)
    return max(0.05, min(0.95, base - shift * min(base, 1 - base)))
