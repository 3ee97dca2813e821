"""Tasks are sent by name, and only once the transaction commits."""

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
