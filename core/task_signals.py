"""Celery signals: a task carries the id of the request that sent it, and is measured.

`before_task_publish` puts the current request id in the message headers; `task_prerun`
makes it current again in the worker (with the task's name and id as log fields), so a
task's log lines carry the id of the request that enqueued it. `task_postrun` counts the
run by outcome and times it (rag_task_runs_total, rag_task_duration_seconds), the queue
read from the delivery info. Tasks themselves know nothing of this. Connected in
CoreConfig.ready(), in every process.
"""

import logging
import time

from celery.signals import before_task_publish, task_postrun, task_prerun

from core.metrics import record_task_run
from core.request_id import (
    current_request_id,
    is_valid_request_id,
    log_context,
    replace_log_context,
    reset_log_context,
    reset_request_id,
    set_request_id,
)

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "ragsite_request_id"
OUTCOMES = {"SUCCESS": "success", "FAILURE": "failure", "RETRY": "retry"}

# task id -> (started, request id token, log context token), from prerun to postrun.
_running: dict[str, tuple[float, object, object]] = {}


@before_task_publish.connect(dispatch_uid="ragsite.carry_request_id")
def carry_request_id(headers=None, **kwargs):
    request_id = current_request_id()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


def sent_request_id(task) -> str:
    request = task.request
    value = getattr(request, REQUEST_ID_HEADER, None) or (getattr(request, "headers", None) or {}).get(
        REQUEST_ID_HEADER
    )
    return value if isinstance(value, str) and is_valid_request_id(value) else ""


def queue_of(task) -> str:
    delivery = getattr(task.request, "delivery_info", None) or {}
    return delivery.get("routing_key") or ("eager" if getattr(task.request, "is_eager", False) else "unknown")


@task_prerun.connect(dispatch_uid="ragsite.task_started")
def task_started(task_id=None, task=None, **kwargs):
    request_id = sent_request_id(task)
    # An eager task runs inside its request and keeps that request's id.
    request_token = set_request_id(request_id) if request_id else None
    context_token = replace_log_context({**log_context(), "task": task.name, "task_id": task_id or ""})
    _running[task_id] = (time.perf_counter(), request_token, context_token)


@task_postrun.connect(dispatch_uid="ragsite.task_finished")
def task_finished(task_id=None, task=None, state=None, **kwargs):
    started, request_token, context_token = _running.pop(task_id, (None, None, None))
    seconds = time.perf_counter() - started if started is not None else None
    outcome = OUTCOMES.get(state or "")
    try:
        if outcome is not None:
            queue = queue_of(task)
            record_task_run(task=task.name, queue=queue, outcome=outcome, seconds=seconds)
            logger.info(
                "task %s: %s",
                task.name,
                outcome,
                extra={"queue": queue, "outcome": outcome, "duration_ms": round((seconds or 0) * 1000, 1)},
            )
    finally:
        for reset, token in ((reset_log_context, context_token), (reset_request_id, request_token)):
            if token is not None:
                try:
                    reset(token)
                except ValueError:  # set in another context (a pool that moved the task): nothing to undo here
                    pass
