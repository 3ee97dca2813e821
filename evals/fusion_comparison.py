"""Fusion functions side by side on a BEIR dataset: today's RRF, then RRF, convex and adaptive
fusion each tuned on the train split only, all scored on the held-out split, each with its
paired randomization test against today's and its fusion time per query.

The dataset's qrels become an evaluation set of its workspace (train stays train, the other
splits are held out), so this is `manage.py tune` run once per fusion function.
"""

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from retrieval.evaluation.scoring import percentile, questions_of, score, search_questions
from retrieval.evaluation.sets import evaluation_set_get_or_create, evaluation_set_import_beir
from retrieval.evaluation.tuning import DEPTHS, paired_randomization_test, tune_searched
from retrieval.fusion_config import site_fusion_settings
from retrieval.models import EvaluationSplit
from retrieval.search.fusion import FusionSettings, fuse
from workspaces.models import Workspace


@dataclass
class FusionRow:
    label: str
    fusion: FusionSettings
    train: dict
    test: dict
    p_value: float | None
    fusion_ms_p50: float
    fusion_ms_p95: float


@dataclass
class FusionComparison:
    dataset: str
    train_questions: int
    test_questions: int
    search_ms_p50: float
    search_ms_p95: float
    rows: list[FusionRow]


def compare_fusion(*, workspace: Workspace, dataset_dir: Path, held_out: list[str], progress=None) -> FusionComparison:
    evaluation_set = evaluation_set_get_or_create(workspace=workspace, name=f"beir-{dataset_dir.name}")
    evaluation_set.questions.all().delete()
    evaluation_set_import_beir(evaluation_set=evaluation_set, path=dataset_dir, splits=["train", *held_out])
    searched, corpus = search_questions(
        evaluation_set, questions_of(evaluation_set), depth=max(DEPTHS), progress=progress
    )
    train = [item for item in searched if item.split == EvaluationSplit.TRAIN]
    test = [item for item in searched if item.split == EvaluationSplit.TEST]
    today = site_fusion_settings()
    today_test = score(test, corpus, today)
    candidates = [("today's RRF", today)] + [
        (
            f"tuned {method}",
            tune_searched(searched, corpus, current=today, methods=[method]).best_by_method[method].fusion,
        )
        for method in ("rrf", "convex", "adaptive")
    ]
    rows = []
    for label, fusion in candidates:
        on_test = score(test, corpus, fusion)
        timings = _fusion_ms(test, fusion)
        rows.append(
            FusionRow(
                label=label,
                fusion=fusion,
                train=score(train, corpus, fusion).means(),
                test=on_test.means(),
                p_value=None
                if fusion == today
                else paired_randomization_test(today_test.metric("ndcg@10"), on_test.metric("ndcg@10")),
                fusion_ms_p50=round(statistics.median(timings), 3),
                fusion_ms_p95=round(percentile(timings, 95), 3),
            )
        )
    latencies = [item.search_ms for item in test]
    return FusionComparison(
        dataset=dataset_dir.name,
        train_questions=len(train),
        test_questions=len(test),
        search_ms_p50=round(statistics.median(latencies), 1),
        search_ms_p95=round(percentile(latencies, 95), 1),
        rows=rows,
    )


def comparison_table(comparison: FusionComparison) -> str:
    lines = [
        f"{comparison.dataset}: tuned on {comparison.train_questions} train questions, scored on "
        f"{comparison.test_questions} held out; both legs p50 {comparison.search_ms_p50} ms, "
        f"p95 {comparison.search_ms_p95} ms (depth {max(DEPTHS)})",
        f"{'fusion':<16}{'settings':<58}{'train':>8}{'nDCG@10':>9}{'R@100':>8}{'MRR@10':>8}{'p':>8}"
        f"{'fuse p50':>10}{'p95 ms':>8}",
    ]
    for row in comparison.rows:
        p_value = "" if row.p_value is None else f"{row.p_value:.3f}"
        lines.append(
            f"{row.label:<16}{row.fusion.describe():<58}{row.train['ndcg@10']:>8.4f}{row.test['ndcg@10']:>9.4f}"
            f"{row.test['recall@100']:>8.4f}{row.test['mrr@10']:>8.4f}{p_value:>8}"
            f"{row.fusion_ms_p50:>10.3f}{row.fusion_ms_p95:>8.3f}"
        )
    return "\n".join(lines)


def _fusion_ms(searched, fusion: FusionSettings) -> list[float]:
    timings = []
    for item in searched:
        started = time.perf_counter()
        fused = fuse(item.vector[: fusion.depth], item.keyword[: fusion.depth], fusion)
        sorted(fused, key=lambda chunk_id: (-fused[chunk_id].score, chunk_id))
        timings.append((time.perf_counter() - started) * 1000)
    return timings
