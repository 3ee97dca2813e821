"""The Celery app. Tasks are thin: they take ids and call services."""

import os
import sys
from pathlib import Path

import environ

from core import worker_process

# Before anything imports prometheus_client: a worker serving its metrics (WORKER_METRICS_PORT,
# from the environment or .env as the settings read it) counts in multiprocess mode.
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env", overwrite=False)
worker_process.prepare_multiprocess_dir()

import django  # noqa: E402
from celery import Celery  # noqa: E402
from celery.signals import beat_init, setup_logging, worker_init, worker_process_shutdown  # noqa: E402
from django.apps import apps  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from core.checks import raise_on_configuration_errors  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ragsite.settings.local")

app = Celery("ragsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work (`celery beat`, started by `make run`) is CELERY_BEAT_SCHEDULE in the settings.


@worker_init.connect
@beat_init.connect
def refuse_to_work_misconfigured(**kwargs):
    """A worker (and beat) checks the configuration as the web server does, before it takes a task.

    Celery logs and swallows what a signal handler raises, so a broken configuration
    ends the process here, with the checks' message.
    """
    if not apps.ready:
        django.setup()
    try:
        raise_on_configuration_errors()
    except ImproperlyConfigured as problems:
        print(problems, file=sys.stderr, flush=True)
        raise SystemExit(1) from None


# Log lines as Django's LOGGING writes them (JSON), not Celery's own format.
setup_logging.connect(worker_process.keep_django_logging, weak=False)
# After the configuration checks above: a misconfigured worker opens no port.
worker_init.connect(worker_process.serve_metrics, weak=False)
worker_process_shutdown.connect(worker_process.process_exited, weak=False)
