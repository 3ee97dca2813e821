"""Sending Celery tasks by name, after the transaction commits.

Services never import a task module (tasks import services): they name the
task. Sending after commit means a worker always finds the rows the task is
about, and a rolled-back transaction sends nothing.
"""

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, *args) -> None:
    """Send task `task_name` with `args` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _task(task_name).apply_async(args=args))


def _task(name: str):
    app = current_app
    if name not in app.tasks:
        # Task modules are imported on first use outside a worker: Celery's autodiscovery
        # imports every installed app's `tasks` module.
        app.loader.import_default_modules()
    return app.tasks[name]
