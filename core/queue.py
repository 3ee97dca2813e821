"""Sending Celery tasks by name, after the transaction commits.

Services never import a task module (tasks import services): they name the
task. Sending after commit means a worker always finds the rows the task is
about, and a rolled-back transaction sends nothing.
"""

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from core.cache import cache_add, cache_delete

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *args, queue: str | None = None) -> None:
    """Send task `task_name` with `args` once the current transaction commits (at once outside one),
    to `queue` or where CELERY_TASK_ROUTES sends it.

    What was committed stays committed when the broker cannot be reached: the send is
    logged, not raised (the request that stored the rows still succeeds), and the beat
    sweeps queue pending documents and export jobs again once it is back.
    """
    transaction.on_commit(lambda: send(task_name, *args, queue=queue))


def send(task_name: str, *args, queue: str | None = None) -> bool:
    """Send now (to `queue` or by the routes); an unreachable broker is logged, not raised."""
    options = {"queue": queue} if queue else {}
    try:
        task_named(task_name).apply_async(args=args, retry_policy=SEND_RETRY_POLICY, **options)
    except (OperationalError, RedisError, ConnectionError, OSError) as exc:
        logger.warning("could not send %s (the broker is unreachable: %s); a sweep queues it again", task_name, exc)
        return False
    return True


def send_once(task_name: str, *args, queue: str, key: str, timeout: int) -> None:
    """Send, unless a task sent under `key` is still queued (its worker calls `sent_task_started`
    first thing); after `timeout` seconds one is sent regardless, in case a message was lost.
    Eager tasks (tests) run at once, so each is sent."""
    if current_app.conf.task_always_eager or cache_add(key, 1, timeout=timeout):
        if not send(task_name, *args, queue=queue):
            cache_delete(key)


def sent_task_started(key: str) -> None:
    """From here on, `send_once` under `key` sends again: the running task may not see what follows."""
    cache_delete(key)


# A few quick tries: a request must not hang while the broker is away.
SEND_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def task_named(name: str):
    """The Celery task registered under `name`."""
    app = current_app
    if name not in app.tasks:
        # Outside a worker, task modules are imported on first use: every installed app's `tasks`.
        app.autodiscover_tasks(force=True)
    return app.tasks[name]
