import pytest
from django.core.management import call_command

from retrieval.evaluation.scoring import Corpus, QuestionLegs, evaluation_set_evaluate, score
from retrieval.evaluation.sets import evaluation_question_add, evaluation_set_create
from retrieval.evaluation.tuning import (
    MIN_TEST_QUESTIONS,
    candidate_settings,
    paired_randomization_test,
    tune_searched,
)
from retrieval.fusion_config import fusion_settings_for
from retrieval.grouping import rank_documents
from retrieval.models import EvaluationRun
from retrieval.pipeline import search_chunks
from retrieval.search.fusion import FusionSettings

RARE_WORDS = [f"zq{index:02d}x" for index in range(60)]
COMMON = "deploy cluster sync"


def test_randomization_test_tells_a_steady_gain_from_noise():
    before = {qid: 0.5 for qid in range(40)}
    steady = {qid: 0.6 for qid in range(40)}
    noisy = {qid: 0.5 + (0.1 if qid % 2 else -0.1) for qid in range(40)}
    assert paired_randomization_test(before, steady) < 0.001
    assert paired_randomization_test(before, noisy) > 0.5
    assert paired_randomization_test(before, before) == 1.0
    assert paired_randomization_test(before, steady) == paired_randomization_test(before, steady)  # seeded


def test_documents_rank_by_their_best_chunk_plus_a_share_of_the_next():
    order = [(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.1)]
    chunk_document = {1: "a", 2: "b", 3: "b", 4: "a"}
    assert rank_documents(order, chunk_document, next_share=0.0) == ["a", "b"]
    assert rank_documents(order, chunk_document, next_share=0.5) == ["b", "a"]  # 0.8 + 0.35 > 0.9 + 0.05


def test_the_grid_starts_with_the_current_settings_and_covers_every_method():
    current = FusionSettings(method="convex", alpha=0.42)
    grid = candidate_settings(current)
    assert grid[0] == current
    assert {fusion.method for fusion in grid} == {"rrf", "convex", "adaptive"}
    assert {fusion.depth for fusion in grid} == {50, 100, 200}
    assert len(grid) > 250


def synthetic(questions: int, *, test_every: int) -> tuple[list[QuestionLegs], Corpus]:
    """The keyword leg finds the right document first, far ahead, and the distractor 13th; the
    vector leg puts the distractor first and the right one 30th: RRF with equal weights picks the
    distractor, keyword-heavy fusion does not."""
    searched, chunk_document = [], {}
    for qid in range(questions):
        right, distractor = qid * 100 + 1, qid * 100 + 2
        others = [qid * 100 + 10 + index for index in range(40)]
        for chunk_id in (right, distractor, *others):
            chunk_document[chunk_id] = f"doc-{chunk_id}"
        vector = [(distractor, 0.9)] + [(chunk_id, 0.8 - index * 0.01) for index, chunk_id in enumerate(others[:28])]
        vector.append((right, 0.5))
        keyword = [(right, 9.0)] + [(chunk_id, 3.0 - index * 0.1) for index, chunk_id in enumerate(others[28:])]
        keyword.append((distractor, 1.0))
        searched.append(
            QuestionLegs(
                question_id=qid,
                query=f"q{qid}",
                split="test" if qid % test_every == 0 else "train",
                relevant={f"doc-{right}": 1},
                answer="",
                vector=vector,
                keyword=keyword,
                search_ms=1.0,
            )
        )
    return searched, Corpus(chunk_document=chunk_document, chunk_text={})


def test_tuning_picks_what_wins_on_train_and_saves_it_only_when_test_agrees():
    searched, corpus = synthetic(90, test_every=3)
    current = FusionSettings(method="rrf", rrf_k=10)
    assert score(searched, corpus, current).means()["ndcg@10"] < 0.7

    report = tune_searched(searched, corpus, current=current)

    assert report.train_questions == 60 and report.test_questions == 30
    assert report.test["chosen"]["ndcg@10"] == 1.0 > report.test["current"]["ndcg@10"]
    assert report.p_value < 0.001 and report.applied, report.reason
    assert report.chosen != current and set(report.best_by_method) == {"rrf", "convex", "adaptive"}


def test_too_few_held_out_questions_save_nothing():
    searched, corpus = synthetic(MIN_TEST_QUESTIONS * 2, test_every=4)  # 10 held out
    report = tune_searched(searched, corpus, current=FusionSettings())
    assert not report.applied and "too few held-out questions" in report.reason


@pytest.mark.django_db
def test_tune_saves_better_settings_that_search_then_uses(workspace, ingest, settings, capsys):
    settings.FUSION_METHOD = "rrf"
    # The fake embedder is a bag of words without idf: a question's three common words (in every
    # document) pull the guides, made of nothing else, closest; BM25 weighs only the rare word
    # that names the right document. Equal-weight RRF puts guides first, keyword-heavy fusion not.
    documents = [
        ingest(
            workspace, f"# Note {index}\n\nThe {word} procedure is described here. {COMMON}", source_uri=f"{word}.md"
        )
        for index, word in enumerate(RARE_WORDS)
    ]
    for index in range(12):
        ingest(workspace, f"# {COMMON}\n\n{COMMON} {COMMON}", source_uri=f"guide-{index}.md")
    evaluation_set = evaluation_set_create(workspace=workspace, name="rare words", test_share=0.5)
    for document, word in zip(documents, RARE_WORDS, strict=True):
        evaluation_question_add(evaluation_set=evaluation_set, query=f"{word} {COMMON}", documents={document: 1})
    before = evaluation_set_evaluate(evaluation_set, split="test")

    call_command("tune", workspace=workspace.pk, evaluation_set="rare words", no_progress=True)

    printed = capsys.readouterr().out
    workspace.refresh_from_db()
    assert "Saved on the workspace" in printed, printed
    tuned = fusion_settings_for(workspace)
    assert tuned != FusionSettings(method="rrf", depth=settings.SEARCH_CANDIDATES)
    assert workspace.retrieval_settings["tuned"]["p_value"] < 0.05
    after = evaluation_set_evaluate(evaluation_set, split="test")
    assert after.metrics["ndcg@10"] > before.metrics["ndcg@10"]
    assert after.fusion["method"] == tuned.method
    assert EvaluationRun.objects.filter(evaluation_set=evaluation_set, kind="tune").count() == 1
    # /search serves the tuned order: the rare word's document first.
    outcome = search_chunks(workspace=workspace, query=f"{RARE_WORDS[3]} {COMMON}", min_similarity=-1)
    assert outcome.fusion == tuned and outcome.results[0].chunk.document == documents[3]
