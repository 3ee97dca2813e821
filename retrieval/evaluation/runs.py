"""Scoring and tuning asked for from the web app: a queued run that a worker carries out."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.queue import enqueue_on_commit
from retrieval.evaluation.scoring import evaluation_set_evaluate
from retrieval.evaluation.tuning import evaluation_set_tune
from retrieval.models import EvaluationRun, EvaluationRunKind, EvaluationRunStatus, EvaluationSet

logger = logging.getLogger(__name__)

# A run still queued this long after it was asked for is sent to the workers again when asked anew.
RESEND_AFTER = timedelta(minutes=10)


def evaluation_run_request(*, evaluation_set: EvaluationSet, kind: str, actor: str) -> EvaluationRun:
    """Queue a scoring (eval) or a tuning (tune) of the set for a worker; one of each at a time."""
    with transaction.atomic():
        waiting = evaluation_set.runs.filter(
            kind=kind, status__in=[EvaluationRunStatus.QUEUED, EvaluationRunStatus.RUNNING]
        ).first()
        if waiting:
            if waiting.status == EvaluationRunStatus.QUEUED and waiting.created_at < timezone.now() - RESEND_AFTER:
                enqueue_on_commit("retrieval.carry_out_evaluation_run", waiting.pk)  # its message was lost
            return waiting
        run = EvaluationRun.objects.create(
            evaluation_set=evaluation_set, kind=kind, status=EvaluationRunStatus.QUEUED, requested_by=actor
        )
        enqueue_on_commit("retrieval.carry_out_evaluation_run", run.pk)
    return run


def evaluation_run_carry_out(*, run_id: int) -> str:
    """Run a queued run; a failure is kept on the run, for the page to show."""
    claimed = EvaluationRun.objects.filter(pk=run_id, status=EvaluationRunStatus.QUEUED).update(
        status=EvaluationRunStatus.RUNNING
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
        EvaluationRun.objects.filter(pk=run_id).update(status=EvaluationRunStatus.FAILED, error=str(exc)[:2000])
        return "failed"
    return "done"
