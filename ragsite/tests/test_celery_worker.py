"""A real Celery worker process, consuming the real (embedded) Redis broker."""

import time

import pytest
from django.db import transaction

from core.tasks import ping
from documents.indexing import documents_request_index
from documents.models import DocumentStatus
from documents.services import document_upsert
from testing.processes import start_celery_worker, stop_process
from workspaces.tests.factories import WorkspaceFactory


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        worker = start_celery_worker()
    yield worker
    stop_process(worker)


@pytest.mark.slow
def test_worker_runs_a_task_through_the_broker(celery_worker):
    assert ping.delay("hello from the test").get(timeout=90) == "hello from the test"
    assert celery_worker.poll() is None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_task_enqueued_on_commit_indexes_the_document(celery_worker):
    workspace = WorkspaceFactory(id="worker-test")
    with transaction.atomic():
        document = document_upsert(
            workspace=workspace, content="# Worker\n\nIndexed by a real worker process.", source_uri="worker.md"
        ).document
        documents_request_index(document_ids=[document.pk])
        # Enqueued only on commit: had the task gone out now, the worker would
        # not find this uncommitted row and the document would stay pending.
        time.sleep(0.5)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status in (DocumentStatus.COMPLETED, DocumentStatus.FAILED):
            break
        time.sleep(0.25)
    assert document.status == DocumentStatus.COMPLETED, document.error
    assert document.chunks.count() == 1
    assert document.embedding_model == "fake-hash"
