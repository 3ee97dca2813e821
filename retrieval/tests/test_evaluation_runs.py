"""Runs asked for in the web app are never left waiting for good: the beat sweep sends a lost
message again and fails a run whose worker died, so the set can be scored anew."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ragsite.celery import app
from retrieval.evaluation.runs import evaluation_run_request, evaluation_runs_sweep
from retrieval.evaluation.sets import evaluation_question_add, evaluation_set_create
from retrieval.models import EvaluationRun, EvaluationRunStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation_set(workspace, ingest):
    document = ingest(workspace, "# Tides\n\nThe moon pulls the sea into tides.", source_uri="tides.md")
    ingest(workspace, "# Bread\n\nFlour, water and salt make bread.", source_uri="bread.md")
    made = evaluation_set_create(workspace=workspace, name="core")
    evaluation_question_add(evaluation_set=made, query="what makes tides", documents={document: 1})
    return made


def test_a_run_whose_message_was_lost_is_sent_again_and_done(evaluation_set, committed):
    run = evaluation_run_request(evaluation_set=evaluation_set, kind="eval", actor="ada")  # never sent: not committed
    assert run.status == EvaluationRunStatus.QUEUED and run.queued_at is not None

    assert evaluation_runs_sweep(now=timezone.now() + timedelta(minutes=2)) == {"resent": [], "failed": []}
    with committed():
        swept = evaluation_runs_sweep(now=timezone.now() + timedelta(minutes=11))
    assert swept == {"resent": [run.pk], "failed": []}
    run.refresh_from_db()
    assert run.status == EvaluationRunStatus.DONE and run.metrics["ndcg@10"] == 1.0
    assert run.started_at is not None
    # Asked for again while one is waiting, the same run is answered; once done, a new one.
    assert evaluation_run_request(evaluation_set=evaluation_set, kind="eval", actor="ada").pk != run.pk


def test_a_run_whose_worker_died_is_failed_and_can_be_asked_for_again(evaluation_set, settings):
    settings.EVALUATION_RUN_TIMEOUT_SECONDS = 600
    run = evaluation_run_request(evaluation_set=evaluation_set, kind="tune", actor="ada")
    EvaluationRun.objects.filter(pk=run.pk).update(status=EvaluationRunStatus.RUNNING, started_at=timezone.now())
    assert evaluation_run_request(evaluation_set=evaluation_set, kind="tune", actor="ada").pk == run.pk

    assert evaluation_runs_sweep(now=timezone.now() + timedelta(minutes=5))["failed"] == []
    assert evaluation_runs_sweep(now=timezone.now() + timedelta(minutes=11))["failed"] == [run.pk]
    run.refresh_from_db()
    assert run.status == EvaluationRunStatus.FAILED and "worker was presumed lost" in run.error
    again = evaluation_run_request(evaluation_set=evaluation_set, kind="tune", actor="ada")
    assert again.pk != run.pk and again.status == EvaluationRunStatus.QUEUED


def test_beat_runs_the_sweep():
    assert "retrieval.sweep_evaluation_runs" in {entry["task"] for entry in app.conf.beat_schedule.values()}
