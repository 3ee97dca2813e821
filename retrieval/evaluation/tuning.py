"""Tuning a workspace's fusion on its own evaluation set.

Every candidate setting (each fusion function over a grid of its weight, RRF k and depth) is
scored on the set's *train* questions only, from legs searched once at the deepest depth and
cut per candidate. The best on train is then compared with the workspace's current settings on
the *test* questions, which no choice looked at, with a paired randomization test over their
nDCG@10; it is saved on the workspace only when it is better there with p below the level asked
for. Deterministic: a fixed grid, ties broken towards the current settings, a seeded test.
"""

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from audit.services import audit_log_record
from core.errors import DomainError
from providers.embeddings import get_embedder
from retrieval.evaluation.scoring import Corpus, QuestionLegs, questions_of, score, search_questions
from retrieval.fusion_config import fusion_settings_changes, fusion_settings_for
from retrieval.models import EvaluationRun, EvaluationRunKind, EvaluationRunStatus, EvaluationSet, EvaluationSplit
from retrieval.search.fusion import FusionSettings

DEPTHS = (50, 100, 200)
RRF_KS = (5, 10, 20, 40, 60)
KEYWORD_WEIGHTS = (0.5, 0.75, 1.0, 1.5, 2.0)  # the vector leg's weight stays 1
ALPHAS = tuple(round(0.1 + 0.05 * step, 2) for step in range(17))  # 0.1 .. 0.9
ADAPTIVE_ALPHAS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
ADAPTIVE_STRENGTHS = (0.25, 0.5, 0.75)
MIN_TEST_QUESTIONS = 20
PERMUTATIONS = 10_000


@dataclass
class Candidate:
    fusion: FusionSettings
    train_ndcg: float


@dataclass
class TuneReport:
    current: FusionSettings
    best_by_method: dict[str, Candidate]
    chosen: FusionSettings
    train: dict[str, dict[str, float | None]]  # "current"/"chosen" -> metrics on train
    test: dict[str, dict[str, float | None]]  # the same on test
    p_value: float | None
    applied: bool
    reason: str
    candidates: int
    train_questions: int
    test_questions: int
    run: EvaluationRun | None = None


def candidate_settings(
    base: FusionSettings, *, methods: Iterable[str] = ("rrf", "convex", "adaptive")
) -> list[FusionSettings]:
    """The grid, in a fixed order; `base` first, so a tie keeps what the workspace has."""
    grid = [base]
    for method in methods:
        for depth in DEPTHS:
            if method == "rrf":
                grid += [
                    dataclasses.replace(base, method="rrf", rrf_k=k, semantic_weight=1.0, keyword_weight=w, depth=depth)
                    for k in RRF_KS
                    for w in KEYWORD_WEIGHTS
                ]
            elif method == "convex":
                grid += [
                    dataclasses.replace(base, method="convex", alpha=alpha, normalization=normalization, depth=depth)
                    for normalization in ("minmax", "zscore")
                    for alpha in ALPHAS
                ]
            elif method == "adaptive":
                grid += [
                    dataclasses.replace(
                        base,
                        method="adaptive",
                        alpha=alpha,
                        adaptive_strength=strength,
                        normalization=normalization,
                        depth=depth,
                    )
                    for normalization in ("minmax", "zscore")
                    for alpha in ADAPTIVE_ALPHAS
                    for strength in ADAPTIVE_STRENGTHS
                ]
    return grid


def paired_randomization_test(
    before: dict[int, float], after: dict[int, float], *, permutations: int = PERMUTATIONS, seed: int = 13
) -> float:
    """Two-sided p-value that `after` and `before` score alike, over the questions they share:
    each question's difference is flipped in sign at random (Fisher's randomization test, as
    Smucker et al. 2007 recommend for IR metrics)."""
    shared = sorted(before.keys() & after.keys())
    differences = np.array([after[qid] - before[qid] for qid in shared])
    if not len(differences) or not np.any(differences):
        return 1.0
    observed = abs(differences.mean())
    signs = np.random.default_rng(seed).choice((-1.0, 1.0), size=(permutations, len(differences)))
    means = np.abs((signs * differences).mean(axis=1))
    return float((np.sum(means >= observed - 1e-12) + 1) / (permutations + 1))


def tune_searched(
    searched: list[QuestionLegs],
    corpus: Corpus,
    *,
    current: FusionSettings,
    methods: Iterable[str] = ("rrf", "convex", "adaptive"),
    significance: float = 0.05,
) -> TuneReport:
    """The tuning itself, on questions already searched (at the deepest depth)."""
    train = [item for item in searched if item.split == EvaluationSplit.TRAIN]
    test = [item for item in searched if item.split == EvaluationSplit.TEST]
    if not train:
        raise DomainError("The set has no train questions to tune on.", code="validation_error")
    best: Candidate | None = None
    best_by_method: dict[str, Candidate] = {}
    grid = candidate_settings(current, methods=methods)
    for fusion in grid:
        ndcg = score(train, corpus, fusion).means()["ndcg@10"] or 0.0
        candidate = Candidate(fusion, ndcg)
        if fusion.method not in best_by_method or ndcg > best_by_method[fusion.method].train_ndcg + 1e-9:
            best_by_method[fusion.method] = candidate
        if best is None or ndcg > best.train_ndcg + 1e-9:
            best = candidate
    chosen = best.fusion
    train_scores = {"current": score(train, corpus, current).means(), "chosen": score(train, corpus, chosen).means()}
    test_scores, p_value = {}, None
    if test:
        before, after = score(test, corpus, current), score(test, corpus, chosen)
        test_scores = {"current": before.means(), "chosen": after.means()}
        p_value = paired_randomization_test(before.metric("ndcg@10"), after.metric("ndcg@10"))
    applied, reason = _decide(chosen, current, test, test_scores, p_value, significance)
    return TuneReport(
        current=current,
        best_by_method=best_by_method,
        chosen=chosen,
        train=train_scores,
        test=test_scores,
        p_value=p_value,
        applied=applied,
        reason=reason,
        candidates=len(grid),
        train_questions=len(train),
        test_questions=len(test),
    )


def evaluation_set_tune(
    evaluation_set: EvaluationSet,
    *,
    apply: bool = True,
    significance: float = 0.05,
    methods: Iterable[str] = ("rrf", "convex", "adaptive"),
    progress: Callable[[], None] | None = None,
    run: EvaluationRun | None = None,
    actor: str = "manage.py tune",
) -> TuneReport:
    """Tune the workspace's fusion on the set, record the run (a new one, or `run`, a queued one,
    filled in), and save the settings on the workspace when they are significantly better on
    the held-out questions (and `apply`)."""
    workspace = evaluation_set.workspace
    current = fusion_settings_for(workspace)
    questions = questions_of(evaluation_set)
    searched, corpus = search_questions(evaluation_set, questions, depth=max(DEPTHS), progress=progress)
    report = tune_searched(searched, corpus, current=current, methods=methods, significance=significance)
    if not apply and report.applied:
        report.applied, report.reason = False, f"{report.reason}; not saved (a dry run)"
    with transaction.atomic():
        run = run or EvaluationRun(evaluation_set=evaluation_set, kind=EvaluationRunKind.TUNE)
        run.split, run.status, run.questions = "test", EvaluationRunStatus.DONE, report.test_questions
        run.fusion, run.metrics = dataclasses.asdict(report.chosen), report.test.get("chosen", {})
        run.details, run.embedding_model = tune_details(report), get_embedder().model_name
        run.save()
        report.run = run
        if report.applied:
            workspace.retrieval_settings = {
                **(workspace.retrieval_settings or {}),
                "fusion": fusion_settings_changes(report.chosen),
                "tuned": {
                    "at": timezone.now().isoformat(),
                    "evaluation_set": evaluation_set.name,
                    "run": report.run.pk,
                    "test_ndcg_before": report.test["current"]["ndcg@10"],
                    "test_ndcg_after": report.test["chosen"]["ndcg@10"],
                    "p_value": report.p_value,
                    "test_questions": report.test_questions,
                },
            }
            workspace.save(update_fields=["retrieval_settings", "updated_at"])
            audit_log_record(
                action="workspace.fusion_tuned",
                actor=actor,
                workspace_ids=[workspace.pk],
                metadata={"fusion": workspace.retrieval_settings["fusion"], **workspace.retrieval_settings["tuned"]},
            )
    return report


def tune_details(report: TuneReport) -> dict:
    return {
        "current": dataclasses.asdict(report.current),
        "train": report.train,
        "test": report.test,
        "p_value": report.p_value,
        "applied": report.applied,
        "reason": report.reason,
        "candidates": report.candidates,
        "train_questions": report.train_questions,
        "test_questions": report.test_questions,
        "best_by_method": {
            method: {"fusion": dataclasses.asdict(candidate.fusion), "train_ndcg@10": round(candidate.train_ndcg, 4)}
            for method, candidate in report.best_by_method.items()
        },
    }


def _decide(chosen, current, test, test_scores, p_value, significance) -> tuple[bool, str]:
    if chosen == current:
        return False, "the current settings are the best on the train questions"
    if len(test) < MIN_TEST_QUESTIONS:
        return False, f"too few held-out questions to tell ({len(test)}; at least {MIN_TEST_QUESTIONS})"
    gain = test_scores["chosen"]["ndcg@10"] - test_scores["current"]["ndcg@10"]
    if gain <= 0:
        return False, f"no better on the held-out questions (nDCG@10 {gain:+.4f})"
    if p_value >= significance:
        return False, f"better on the held-out questions by {gain:+.4f}, but not significantly (p = {p_value:.3f})"
    return True, f"better on the held-out questions by {gain:+.4f} (p = {p_value:.4f})"
