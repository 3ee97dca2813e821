import math

import pytest

from evals.beir import load_beir, make_slice, write_beir
from retrieval.evaluation.metrics import mrr_at_k, ndcg_at_k, recall_at_k


def test_ndcg_matches_trec_eval_definition():
    relevant = {"a": 1, "b": 1}
    assert ndcg_at_k(["a", "b", "x"], relevant) == 1.0
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["x", "a"], relevant) == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert expected < 1
    assert ndcg_at_k(["x"] * 10 + ["a"], relevant, 10) == 0.0
    assert ndcg_at_k(["a"], {"a": 2, "b": 1}) == pytest.approx(2 / (2 + 1 / math.log2(3)))


def test_recall_and_mrr():
    relevant = {"a": 1, "b": 1, "c": 0}
    assert recall_at_k(["a", "x", "c"], relevant, 100) == 0.5
    assert recall_at_k(["x"], {}, 100) == 0.0
    assert mrr_at_k(["x", "y", "b"], relevant, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(["c", "x"], relevant, 10) == 0.0


def test_slice_keeps_every_relevant_document_and_round_trips(tmp_path, settings):
    full = load_beir(settings.EVAL_DATASET_DIR, split="test")
    small = make_slice(full, queries=10, distractors=20, seed=1)
    assert len(small.queries) == 10
    relevant = {doc for judged in small.qrels.values() for doc in judged}
    assert relevant <= set(small.corpus) and len(small.corpus) == len(relevant) + 20
    write_beir(small, tmp_path, split="test")
    again = load_beir(tmp_path, split="test")
    assert again.corpus == small.corpus and again.queries == small.queries and again.qrels == small.qrels
