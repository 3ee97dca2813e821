"""The Celery app. Tasks are thin: they take ids and call services."""

import os
import sys

import django
from celery import Celery
from celery.signals import beat_init, worker_init
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from core.checks import raise_on_configuration_errors

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
