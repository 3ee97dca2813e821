"""Scoring a workspace on its evaluation set: nDCG@10, Recall@100, MRR@10 and answer-in-top-5.

Each question's legs are searched once (retrieval.pipeline.search_legs, the functions /search
runs) and fused in memory, so many fusion settings can be scored on the same searches: that is
what makes tuning take minutes. Results are grouped by document: a document scores its best
chunk's fused score plus DOCUMENT_NEXT_CHUNK_SHARE of its second best (long documents with
several matching passages rank a little above one lucky passage). The order scored is the fused
one, before any reranker.
"""

import dataclasses
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from core.database import search_alias, search_reads
from documents.models import Chunk
from providers.embeddings import get_embedder
from retrieval.evaluation.metrics import mean, mrr_at_k, ndcg_at_k, recall_at_k
from retrieval.fusion_config import fusion_settings_for
from retrieval.grouping import rank_documents
from retrieval.models import EvaluationQuestion, EvaluationRun, EvaluationRunKind, EvaluationRunStatus, EvaluationSet
from retrieval.pipeline import search_legs
from retrieval.search.filters import SearchFilters
from retrieval.search.fusion import FusionSettings, fuse

METRICS = ("ndcg@10", "recall@100", "mrr@10", "answer@5")


@dataclass
class QuestionLegs:
    """One question with what each leg found for it (chunk ids resolved to documents)."""

    question_id: int
    query: str
    split: str
    relevant: dict[str, int]  # document id -> grade
    answer: str
    vector: list[tuple[int, float]]
    keyword: list[tuple[int, float]]
    search_ms: float


@dataclass
class Scored:
    """Per question, per metric: what significance tests and trends are computed from."""

    per_question: dict[int, dict[str, float | None]]

    def metric(self, name: str) -> dict[int, float]:
        return {qid: values[name] for qid, values in self.per_question.items() if values[name] is not None}

    def means(self) -> dict[str, float | None]:
        out = {}
        for name in METRICS:
            values = list(self.metric(name).values())
            out[name] = round(mean(values), 4) if values else None
        return out


@dataclass
class Corpus:
    """What scoring needs of the chunks the legs found: their document, and their text where a
    question has an answer to look for."""

    chunk_document: dict[int, str]
    chunk_text: dict[int, str]


def questions_of(evaluation_set: EvaluationSet, *, split: str = "all") -> list[EvaluationQuestion]:
    questions = evaluation_set.questions.prefetch_related("judgements").order_by("id")
    if split != "all":
        questions = questions.filter(split=split)
    return list(questions)


def search_questions(
    evaluation_set: EvaluationSet,
    questions: Sequence[EvaluationQuestion],
    *,
    depth: int,
    progress: Callable[[], None] | None = None,
) -> tuple[list[QuestionLegs], Corpus]:
    """Both legs of every question, `depth` candidates each, and the chunks they name."""
    workspace = evaluation_set.workspace
    searched = []
    for question in questions:
        started = time.perf_counter()
        with transaction.atomic(using=search_alias()):
            legs = search_legs(
                workspace=workspace, query=question.query, filters=SearchFilters(), depth=depth, mode="hybrid"
            )
        searched.append(
            QuestionLegs(
                question_id=question.pk,
                query=question.query,
                split=question.split,
                relevant={str(judgement.document_id): judgement.grade for judgement in question.judgements.all()},
                answer=question.answer,
                vector=legs.vector or [],
                keyword=legs.keyword or [],
                search_ms=(time.perf_counter() - started) * 1000,
            )
        )
        if progress:
            progress()
    return searched, corpus_of(searched)


def corpus_of(searched: Sequence[QuestionLegs]) -> Corpus:
    chunk_ids = {chunk_id for item in searched for chunk_id, _ in (*item.vector, *item.keyword)}
    answered = {chunk_id for item in searched if item.answer for chunk_id, _ in (*item.vector, *item.keyword)}
    with search_reads():
        rows = Chunk.objects.filter(pk__in=chunk_ids).values_list("pk", "document_id")
        chunk_document = {pk: str(document_id) for pk, document_id in rows}
        chunk_text = dict(Chunk.objects.filter(pk__in=answered).values_list("pk", "text")) if answered else {}
    return Corpus(chunk_document=chunk_document, chunk_text=chunk_text)


def score(
    searched: Sequence[QuestionLegs], corpus: Corpus, fusion: FusionSettings, *, next_share: float | None = None
) -> Scored:
    """Each question's metrics under `fusion` (legs cut to its depth), in memory."""
    share = settings.DOCUMENT_NEXT_CHUNK_SHARE if next_share is None else next_share
    per_question = {}
    for item in searched:
        fused = fuse(item.vector[: fusion.depth], item.keyword[: fusion.depth], fusion)
        order = sorted(
            ((chunk_id, entry.score) for chunk_id, entry in fused.items()), key=lambda pair: (-pair[1], pair[0])
        )
        ranked = rank_documents(order, corpus.chunk_document, next_share=share)
        per_question[item.question_id] = {
            "ndcg@10": ndcg_at_k(ranked, item.relevant, 10),
            "recall@100": recall_at_k(ranked, item.relevant, 100),
            "mrr@10": mrr_at_k(ranked, item.relevant, 10),
            "answer@5": _answer_in_top(order, corpus.chunk_text, item.answer, 5) if item.answer else None,
        }
    return Scored(per_question)


def evaluation_set_evaluate(
    evaluation_set: EvaluationSet,
    *,
    split: str = "all",
    fusion: FusionSettings | None = None,
    record: bool = True,
    progress: Callable[[], None] | None = None,
    run: EvaluationRun | None = None,
    next_shares: Sequence[float] = (),
) -> EvaluationRun:
    """Score the workspace on its set with its current fusion (or `fusion`), and keep the run
    (a new one, or `run`, a queued one, filled in). `next_shares`: also score each of these
    shares of a document's second best chunk (kept in the run's details), to choose
    DOCUMENT_NEXT_CHUNK_SHARE on the workspace's own documents."""
    fusion = fusion or fusion_settings_for(evaluation_set.workspace)
    questions = questions_of(evaluation_set, split=split)
    searched, corpus = search_questions(evaluation_set, questions, depth=fusion.depth, progress=progress)
    scored = score(searched, corpus, fusion)
    latencies = [item.search_ms for item in searched]
    run = run or EvaluationRun(evaluation_set=evaluation_set, kind=EvaluationRunKind.EVAL)
    run.split, run.status, run.questions = split, EvaluationRunStatus.DONE, len(searched)
    run.fusion, run.metrics = dataclasses.asdict(fusion), scored.means()
    run.details = {
        "search_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
        "search_ms_p95": round(percentile(latencies, 95), 1) if latencies else None,
        "document_next_chunk_share": settings.DOCUMENT_NEXT_CHUNK_SHARE,
    }
    if next_shares:
        run.details["by_next_chunk_share"] = {
            str(share): score(searched, corpus, fusion, next_share=share).means() for share in next_shares
        }
    run.embedding_model = get_embedder().model_name
    if record:
        run.save()
    return run


def percentile(values: Sequence[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))] if ordered else 0.0


def _answer_in_top(order: Sequence[tuple[int, float]], chunk_text: dict[int, str], answer: str, k: int) -> float:
    wanted = " ".join(answer.lower().split())
    for chunk_id, _ in order[:k]:
        if wanted in " ".join(chunk_text.get(chunk_id, "").lower().split()):
            return 1.0
    return 0.0
