"""The CI answer gate: the answer dataset over the sample documents, the default local model
(bge-small-en-v1.5, with its own chat similarity floors), extractive generator.

Measured: answer accuracy 0.90 (9 of 10), refusal accuracy 1.0 (6 of 6), citation validity 1.0
(all-MiniLM-L6-v2: 0.80, 1.0, 1.0).
"""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from providers.catalogue import DEFAULT_EMBEDDING_MODEL, model_settings

THRESHOLDS = {"answers.answer_accuracy": 0.85, "answers.refusal_accuracy": 1.0, "answers.citation_validity": 1.0}


@pytest.mark.slow
@pytest.mark.django_db
def test_answers_and_refusals_meet_the_gate(tmp_path):
    with override_settings(
        EMBEDDING_PROVIDER="local",
        EMBEDDING_MODEL=DEFAULT_EMBEDDING_MODEL,
        GENERATOR_PROVIDER="extractive",
        **model_settings(DEFAULT_EMBEDDING_MODEL),
    ):
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
    report = json.loads((tmp_path / "answers.json").read_text())
    assert report["cases"] == 16
