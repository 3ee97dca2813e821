"""The CI answer gate: the answer dataset over the sample documents, real local model, extractive generator.

Measured: answer accuracy 0.80 (8 of 10), refusal accuracy 1.0 (6 of 6), citation validity 1.0.
"""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from chat import generators
from retrieval import embeddings

THRESHOLDS = {"answers.answer_accuracy": 0.75, "answers.refusal_accuracy": 1.0, "answers.citation_validity": 1.0}


@pytest.mark.slow
@pytest.mark.django_db
def test_answers_and_refusals_meet_the_gate(tmp_path):
    with override_settings(
        EMBEDDING_PROVIDER="local", EMBEDDING_MODEL="all-MiniLM-L6-v2", GENERATOR_PROVIDER="extractive"
    ):
        embeddings.get_embedder.cache_clear()
        generators.get_generator.cache_clear()
        try:
            call_command(
                "eval",
                "--answers",
                str(settings.BASE_DIR / "evals" / "datasets" / "answers-argocd.jsonl"),
                "--json",
                str(tmp_path / "answers.json"),
                "--history",
                "",
                *[f"--fail-under={name}={value}" for name, value in THRESHOLDS.items()],
            )
        finally:
            embeddings.get_embedder.cache_clear()
            generators.get_generator.cache_clear()
    report = json.loads((tmp_path / "answers.json").read_text())
    assert report["cases"] == 16
