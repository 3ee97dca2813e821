"""The CI retrieval gate: the SciFact slice through the real pipeline and the default model.

Thresholds sit just under the figures measured with bge-small-en-v1.5 on
ONNX Runtime (vector 0.786, keyword 0.833, hybrid 0.856 nDCG@10, hybrid
R@100 0.99 and MRR@10 0.832 on this slice), so a retrieval regression fails the build.
"""

import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from providers.catalogue import DEFAULT_EMBEDDING_MODEL

THRESHOLDS = {
    "vector.ndcg@10": 0.77,
    "keyword.ndcg@10": 0.82,
    "hybrid.ndcg@10": 0.84,
    "hybrid.recall@100": 0.98,
    "hybrid.mrr@10": 0.82,
}


@pytest.mark.slow
@pytest.mark.django_db
def test_scifact_slice_meets_the_retrieval_gate(tmp_path):
    # --models brings the model's own settings (chunk budget, dimension), as configuring it would.
    with override_settings(EMBEDDING_PROVIDER="local"):
        call_command(
            "eval",
            "--no-progress",
            "--models",
            DEFAULT_EMBEDDING_MODEL,
            "--modes",
            "vector,keyword,hybrid",
            "--json",
            str(tmp_path / "report.json"),
            "--history",
            str(tmp_path / "history.jsonl"),
            *[f"--fail-under={name}={value}" for name, value in THRESHOLDS.items()],
        )
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["embedding_model"] == "bge-small-en-v1.5"
    assert report["settings"]["CHUNK_MAX_TOKENS"] == 512
    assert report["queries"] == 100 and report["documents"] == 1106
    assert set(report["results"]) == {"vector", "keyword", "hybrid"}
    assert (tmp_path / "history.jsonl").read_text().count("\n") == 1
