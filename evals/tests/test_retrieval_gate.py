"""The CI retrieval gate: the SciFact slice through the real pipeline and the real local model.

Thresholds sit just under the figures measured with all-MiniLM-L6-v2
(vector 0.762, keyword 0.828, hybrid 0.859 nDCG@10 on this slice), so a
retrieval regression fails the build.
"""

import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from retrieval import embeddings

THRESHOLDS = {
    "vector.ndcg@10": 0.74,
    "keyword.ndcg@10": 0.81,
    "hybrid.ndcg@10": 0.84,
    "hybrid.recall@100": 0.97,
    "hybrid.mrr@10": 0.81,
}


@pytest.mark.slow
@pytest.mark.django_db
def test_scifact_slice_meets_the_retrieval_gate(tmp_path):
    with override_settings(EMBEDDING_PROVIDER="local", EMBEDDING_MODEL="all-MiniLM-L6-v2"):
        embeddings.get_embedder.cache_clear()
        try:
            call_command(
                "eval",
                "--no-progress",
                "--modes",
                "vector,keyword,hybrid",
                "--json",
                str(tmp_path / "report.json"),
                "--history",
                str(tmp_path / "history.jsonl"),
                *[f"--fail-under={name}={value}" for name, value in THRESHOLDS.items()],
            )
        finally:
            embeddings.get_embedder.cache_clear()
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["queries"] == 100 and report["documents"] == 1106
    assert set(report["results"]) == {"vector", "keyword", "hybrid"}
    assert (tmp_path / "history.jsonl").read_text().count("\n") == 1
