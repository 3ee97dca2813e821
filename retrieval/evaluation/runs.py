"""Scoring and tuning asked for from the web app: a queued run that a worker carries out.

A run's message can be lost (the broker was down when it was asked for) and its worker can die;
the beat sweep (`evaluation_runs_sweep`) sends the first again and fails the second, so a set is
never left waiting for good."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.queue import enqueue_on_commit
from retrieval.evaluation.scoring import evaluation_set_evaluate
from retrieval.evaluation.tuning import evaluation_set_tune
from retrieval.models import EvaluationRun, EvaluationRunKind, EvaluationRunStatus, EvaluationSet

logger = logging.getLogger(__name__)

# A run still queued this long after its message was sent is sent again: the message was lost.
RESEND_AFTER = timedelta(minutes=10)
ERROR_MAX_CHARS = 2000


def evaluation_run_request(*, evaluation_set: EvaluationSet, kind: str, actor: str) -> EvaluationRun:
    """Queue a scoring (eval) or a tuning (tune) of the set for a worker; one of each at a time."""
    with transaction.atomic():
        waiting = evaluation_set.runs.filter(
            kind=kind, status__in=[EvaluationRunStatus.QUEUED, EvaluationRunStatus.RUNNING]
        ).first()
        if waiting:
            return waiting
        run = EvaluationRun.objects.create(
            evaluation_set=evaluation_set,
            kind=kind,
            status=EvaluationRunStatus.QUEUED,
            requested_by=actor,
            queued_at=timezone.now(),
        )
        enqueue_on_commit("retrieval.carry_out_evaluation_run", run.pk)
    return run


def evaluation_run_carry_out(*, run_id: int) -> str:
    """Run a queued run; a failure is kept on the run, for the page to show."""
    claimed = EvaluationRun.objects.filter(pk=run_id, status=EvaluationRunStatus.QUEUED).update(
        status=EvaluationRunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "not queued"
    run = EvaluationRun.objects.select_related("evaluation_set__workspace").get(pk=run_id)
    try:
        if run.kind == EvaluationRunKind.TUNE:
            evaluation_set_tune(run.evaluation_set, run=run, actor=run.requested_by or "web app")
        else:
            evaluation_set_evaluate(run.evaluation_set, run=run)
    except Exception as exc:
        logger.exception("evaluation run %s failed", run_id)
        EvaluationRun.objects.filter(pk=run_id).update(
            status=EvaluationRunStatus.FAILED, error=str(exc)[:ERROR_MAX_CHARS]
        )
        return "failed"
    return "done"


def evaluation_runs_sweep(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Send again the runs queued longer than RESEND_AFTER ago, and fail the runs still running
    EVALUATION_RUN_TIMEOUT_SECONDS after a worker took them up (it died: a tuning that ran a worker
    out of memory would do it again, so it is not retried; it can be asked for anew)."""
    now = now or timezone.now()
    timeout = settings.EVALUATION_RUN_TIMEOUT_SECONDS
    with transaction.atomic():
        resent = list(
            EvaluationRun.objects.filter(status=EvaluationRunStatus.QUEUED, queued_at__lt=now - RESEND_AFTER)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        EvaluationRun.objects.filter(pk__in=resent).update(queued_at=now)
        for run_id in resent:
            enqueue_on_commit("retrieval.carry_out_evaluation_run", run_id)
        lost = list(
            EvaluationRun.objects.filter(
                status=EvaluationRunStatus.RUNNING, started_at__lt=now - timedelta(seconds=timeout)
            ).values_list("pk", flat=True)
        )
        EvaluationRun.objects.filter(pk__in=lost).update(
            status=EvaluationRunStatus.FAILED,
            error=f"Still running {timeout} seconds after a worker took it up, so the worker was presumed lost. "
            "Ask for it again.",
        )
    if resent or lost:
        logger.warning("evaluation runs: sent %d again, failed %d whose worker was lost", len(resent), len(lost))
    return {"resent": resent, "failed": lost}
