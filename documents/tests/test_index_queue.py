"""The queue of documents waiting to be indexed: lanes, batches across documents, workspaces
taking turns, one bad document failing alone, and a request made during indexing kept."""

import pytest

from documents import indexing
from documents.indexing import documents_index_pending, documents_request_index
from documents.models import Chunk, Document, DocumentStatus, IndexLane, IndexRequest
from documents.tests.factories import DocumentFactory
from providers.embeddings import get_embedder
from providers.errors import ProviderError
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


class CountingEmbedder:
    """The test embedder, counting its calls, and refusing any text with POISON in it."""

    def __init__(self):
        self.inner = get_embedder()
        self.calls: list[int] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def embed_documents(self, texts):
        self.calls.append(len(texts))
        if any("POISON" in text for text in texts):
            raise ProviderError("embeddings: the provider refused an input")
        return self.inner.embed_documents(texts)


@pytest.fixture
def embedder(monkeypatch):
    counting = CountingEmbedder()
    monkeypatch.setattr(indexing, "get_embedder", lambda: counting)
    return counting


def pending(workspace, count, *, words="Plain text"):
    return [
        DocumentFactory(workspace=workspace, status=DocumentStatus.PENDING, content=f"# Doc {n}\n\n{words} number {n}.")
        for n in range(count)
    ]


def test_a_few_documents_take_the_interactive_lane_and_many_the_bulk_one(workspace, settings):
    settings.INDEX_INTERACTIVE_MAX_DOCUMENTS = 3
    few, many = pending(workspace, 3), pending(workspace, 4)
    documents_request_index(document_ids=[document.pk for document in few])
    documents_request_index(document_ids=[document.pk for document in many])
    lanes = dict(IndexRequest.objects.values_list("document_id", "lane"))
    assert {lanes[document.pk] for document in few} == {IndexLane.INTERACTIVE}
    assert {lanes[document.pk] for document in many} == {IndexLane.BULK}


def test_documents_uploaded_one_by_one_are_embedded_together(workspace, embedder):
    for document in pending(workspace, 20):
        documents_request_index(document_ids=[document.pk])  # twenty uploads, each of one document
    outcome = documents_index_pending(lane=IndexLane.INTERACTIVE, claimant="task-1")
    assert outcome == {"completed": 20, "failed": 0}
    assert embedder.calls == [20]  # one call for all of them
    assert not IndexRequest.objects.exists()
    assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.COMPLETED}


def test_a_batch_is_bounded_by_its_estimated_chunks(workspace, embedder, settings):
    settings.INDEX_BATCH_CHUNKS = 4
    documents_request_index(document_ids=[document.pk for document in pending(workspace, 10)], lane="bulk")
    assert documents_index_pending(lane=IndexLane.BULK, claimant="task-1")["completed"] == 10
    assert embedder.calls == [4, 4, 2]


def test_workspaces_take_turns_in_a_lane(workspace, other_workspace, embedder, settings):
    settings.INDEX_BATCH_CHUNKS = 4
    loaded = pending(workspace, 40)
    documents_request_index(document_ids=[document.pk for document in loaded], lane="bulk")
    late = pending(other_workspace, 2)
    documents_request_index(document_ids=[document.pk for document in late], lane="bulk")

    claimed = indexing._claim(IndexLane.BULK, "task-1")
    by_workspace = dict(Document.objects.filter(pk__in=list(claimed)).values_list("pk", "workspace_id"))
    # The late workspace's two documents come in the first batch, beside two of the large load.
    assert sorted(by_workspace.values()) == ["alpha", "alpha", "beta", "beta"]
    assert set(claimed) >= {document.pk for document in late}


def test_a_claimed_document_is_not_claimed_twice(workspace, embedder):
    documents_request_index(document_ids=[document.pk for document in pending(workspace, 3)], lane="bulk")
    assert len(indexing._claim(IndexLane.BULK, "task-1")) == 3
    assert indexing._claim(IndexLane.BULK, "task-2") == {}
    # The same task delivered again (its worker died) takes its claims back.
    assert documents_index_pending(lane=IndexLane.BULK, claimant="task-1")["completed"] == 3


def test_one_document_the_provider_refuses_fails_alone(workspace, embedder):
    documents = pending(workspace, 4)
    poisoned = DocumentFactory(workspace=workspace, status=DocumentStatus.PENDING, content="# Bad\n\nPOISON in it.")
    documents_request_index(document_ids=[*[document.pk for document in documents], poisoned.pk])
    outcome = documents_index_pending(lane=IndexLane.INTERACTIVE, claimant="task-1")
    assert outcome == {"completed": 4, "failed": 1}
    poisoned.refresh_from_db()
    assert poisoned.status == DocumentStatus.FAILED and "refused an input" in poisoned.error
    assert not Chunk.objects.filter(document=poisoned).exists()
    assert Chunk.objects.filter(document__in=documents).count() == 4
    assert not IndexRequest.objects.exists()


def test_a_request_made_while_a_document_is_indexed_is_kept_for_its_new_content(workspace, embedder):
    document = pending(workspace, 1)[0]
    documents_request_index(document_ids=[document.pk])
    claimed = indexing._claim(IndexLane.INTERACTIVE, "task-1")
    works = indexing._read(list(claimed), claimed)
    # Edited and asked again while the worker embeds the old content.
    Document.objects.filter(pk=document.pk).update(content="# Doc\n\nNew words.", content_hash="new")
    documents_request_index(document_ids=[document.pk])
    assert indexing._index(works, progress=None)["completed"] == 0  # the old content is not swapped in
    assert IndexRequest.objects.get(document=document).version == 2
    assert documents_index_pending(lane=IndexLane.INTERACTIVE, claimant="task-2")["completed"] == 1
    assert [chunk.text for chunk in Chunk.objects.filter(document=document)] == ["New words."]


def test_a_failing_provider_is_tried_again_later_then_the_documents_fail(workspace, embedder, settings):
    settings.INDEX_MAX_ATTEMPTS = 2
    document = DocumentFactory(workspace=workspace, status=DocumentStatus.PENDING, content="# Doc\n\nWords.")
    documents_request_index(document_ids=[document.pk])

    def unavailable(texts):
        from providers.errors import RetryableProviderError

        raise RetryableProviderError("embeddings: 503")

    embedder.embed_documents = unavailable
    with pytest.raises(indexing.IndexRetryLater):
        documents_index_pending(lane=IndexLane.INTERACTIVE, claimant="task-1")
    request = IndexRequest.objects.get()
    assert request.attempts == 1 and request.claimed_at is None
    assert Document.objects.get().status == DocumentStatus.PENDING
    # Not claimed again before its back-off is over.
    assert indexing._claim(IndexLane.INTERACTIVE, "task-2") == {}

    IndexRequest.objects.update(not_before=request.requested_at)
    documents_index_pending(lane=IndexLane.INTERACTIVE, claimant="task-1")  # the last try
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and "503" in document.error
    assert not IndexRequest.objects.exists()


def test_a_workspace_reindex_takes_the_bulk_lane(workspace):
    from documents.indexing import workspace_request_reindex

    other = WorkspaceFactory(id="gamma")
    pending(workspace, 2)
    pending(other, 1)
    assert workspace_request_reindex(workspace=workspace) == 2
    assert list(IndexRequest.objects.values_list("workspace_id", "lane").distinct()) == [("alpha", IndexLane.BULK)]


def test_uploads_one_by_one_send_one_task_while_it_is_queued(
    workspace, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("core.queue.send", lambda name, *args, queue: sent.append((name, args, queue)) or True)
    indexing.sent_task_started(indexing._wake_key(IndexLane.INTERACTIVE))
    for document in pending(workspace, 5):
        with django_capture_on_commit_callbacks(execute=True):
            documents_request_index(document_ids=[document.pk])
    assert len(sent) == 1  # the first; the other four are claimed by it
    # Once its worker has started, the next upload wakes the lane again.
    documents_index_pending(lane=IndexLane.INTERACTIVE, claimant="task-1")
    with django_capture_on_commit_callbacks(execute=True):
        documents_request_index(document_ids=[pending(workspace, 1)[0].pk])
    assert len(sent) == 2
    indexing.sent_task_started(indexing._wake_key(IndexLane.INTERACTIVE))
