"""Sending Celery tasks by name, after the transaction commits.

Services never import a task module (tasks import services): they name the
task. Sending after commit means a worker always finds the rows the task is
about, and a rolled-back transaction sends nothing.
"""

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, *args) -> None:
    """Send task `task_name` with `args` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_named(task_name).apply_async(args=args))


def task_named(name: str):
    """The Celery task registered under `name`."""
    app = current_app
    if name not in app.tasks:
        # Outside a worker, task modules are imported on first use: every installed app's `tasks`.
        app.autodiscover_tasks(force=True)
    return app.tasks[name]
