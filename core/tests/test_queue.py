"""Tasks are sent by name, and only once the transaction commits."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import shared_task
from django.db import transaction

from core.queue import enqueue_on_commit

pytestmark = pytest.mark.django_db

received = []


@shared_task(name="core.tests.remember")
def remember(value: str) -> None:
    received.append(value)


@pytest.fixture(autouse=True)
def forget():
    received.clear()


def test_a_task_is_sent_by_name_once_the_transaction_commits(committed):
    with committed() as callbacks:
        with transaction.atomic():
            enqueue_on_commit("core.tests.remember", "after commit")
            assert received == []
    assert len(callbacks) == 1 and received == ["after commit"]


def test_a_rolled_back_transaction_sends_nothing(committed):
    with committed() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_on_commit("core.tests.remember", "never")
            raise RuntimeError("rolled back")
    assert callbacks == [] and received == []


def test_a_task_whose_module_nobody_imported_yet_is_found_by_name():
    # A fresh web process: no app's tasks module is imported until a task is first sent.
    code = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "from core.queue import task_named\n"
        "assert 'documents.index_pending' not in current_app.tasks\n"
        "print(task_named('documents.index_pending').name)\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ragsite.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "documents.index_pending"
