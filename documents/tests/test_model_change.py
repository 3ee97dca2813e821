"""Changing the embedding model: stale documents are counted, never vector-compared, still found
by keyword, and `reindex --stale` brings them up to date without taking them offline."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from documents.indexing import documents_index
from documents.models import Chunk, Document, DocumentStatus
from documents.services import document_upsert
from providers import embeddings
from retrieval.pipeline import search_chunks

pytestmark = pytest.mark.django_db

DOCUMENTS = {
    "sync.md": "# Sync waves\n\nSync waves order the sync of resources, one wave after another.",
    "bread.md": "# Bread\n\nKnead the dough, let it rise, then bake the bread.",
}


@pytest.fixture
def model():
    """model(name): the fake embedder under another model name from now on."""

    def switch(name):
        override = override_settings(EMBEDDING_MODEL=name)
        override.enable()
        switched.append(override)
        return embeddings.get_embedder()

    switched = []
    yield switch
    for override in reversed(switched):
        override.disable()


@pytest.fixture
def indexed_with_old_model(model, workspace):
    model("fake-old")
    documents = {}
    for name, text in DOCUMENTS.items():
        stored = document_upsert(workspace=workspace, content=text, source_uri=name).document
        documents_index(document_ids=[stored.pk])
        documents[name] = Document.objects.get(pk=stored.pk)
    assert {document.embedding_model for document in documents.values()} == {"fake-old"}
    model("fake-new")
    return documents


def sources(outcome):
    return [result.chunk.document.source_uri for result in outcome.results]


def test_a_model_change_makes_documents_stale_until_reindexed(
    indexed_with_old_model, workspace, client_for, admin_key, admin_client
):
    stats = client_for(admin_key).get("/stats").json()
    assert stats["embedding"]["model"] == "fake-new"
    assert stats["documents_awaiting_reindex"] == 2
    assert stats["documents_by_embedding_model"] == {"fake-old": 2}
    page = admin_client.get("/admin/documents/document/").content.decode()
    assert "Awaiting reindex (2)" in page and "2 document(s) await reindexing" in page

    # The vector leg compares only vectors of the current model...
    assert sources(search_chunks(workspace=workspace, query="sync waves", mode="vector")) == []
    # ...while the keyword leg still finds what the documents say.
    hybrid = search_chunks(workspace=workspace, query="sync waves")
    assert sources(hybrid) == ["sync.md"]
    assert hybrid.results[0].scores.vector_rank is None and hybrid.results[0].scores.vector_similarity is None

    call_command("reindex", "--stale", "--no-progress")

    assert client_for(admin_key).get("/stats").json()["documents_awaiting_reindex"] == 0
    assert set(Document.objects.values_list("embedding_model", flat=True)) == {"fake-new"}
    vector = search_chunks(workspace=workspace, query="sync waves", mode="vector")
    assert sources(vector)[0] == "sync.md" and vector.results[0].scores.vector_similarity > 0.5
    assert "Awaiting reindex (0)" in admin_client.get("/admin/documents/document/").content.decode()


def test_stale_documents_stay_searchable_while_they_are_reembedded(indexed_with_old_model, workspace, monkeypatch):
    seen_during_embedding = []
    embedder = embeddings.get_embedder()
    original = embedder.embed_documents

    def observing(texts):
        # Mid-reindex, from the outside: the old chunks must still answer.
        seen_during_embedding.append(sources(search_chunks(workspace=workspace, query="bread dough")))
        assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.COMPLETED}
        return original(texts)

    monkeypatch.setattr(embedder, "embed_documents", observing)
    old_chunks = set(Chunk.objects.values_list("pk", flat=True))

    documents_index(document_ids=[document.pk for document in indexed_with_old_model.values()])

    assert seen_during_embedding == [["bread.md"]]
    assert not old_chunks & set(Chunk.objects.values_list("pk", flat=True))  # swapped in one transaction
    assert set(Document.objects.values_list("embedding_model", flat=True)) == {"fake-new"}


def test_a_failed_reembedding_keeps_the_old_version_searchable(indexed_with_old_model, workspace, monkeypatch):
    def broken(texts):
        raise RuntimeError("encoder crashed")

    monkeypatch.setattr(embeddings.get_embedder(), "embed_documents", broken)
    with pytest.raises(RuntimeError):
        documents_index(document_ids=[document.pk for document in indexed_with_old_model.values()])

    assert set(Document.objects.values_list("status", "embedding_model")) == {(DocumentStatus.COMPLETED, "fake-old")}
    assert sources(search_chunks(workspace=workspace, query="bread dough")) == ["bread.md"]


def test_the_admin_reindexes_selected_documents_in_a_worker(indexed_with_old_model, admin_client, committed):
    chosen = indexed_with_old_model["sync.md"]
    with committed():
        response = admin_client.post(
            "/admin/documents/document/",
            {"action": "reindex_selected", "_selected_action": [str(chosen.pk)]},
            follow=True,
        )
    assert "1 document(s) queued for reindexing." in response.content.decode()
    models = dict(Document.objects.values_list("source_uri", "embedding_model"))
    assert models == {"sync.md": "fake-new", "bread.md": "fake-old"}
    assert "Awaiting reindex (1)" in admin_client.get("/admin/documents/document/").content.decode()


def test_documents_still_on_their_way_are_not_awaiting_reindex(workspace, client_for, admin_key):
    """A bulk upload's pending and processing documents, and failed ones, are not a model change's leftovers."""
    for status in (DocumentStatus.PENDING, DocumentStatus.PROCESSING, DocumentStatus.FAILED):
        document_upsert(workspace=workspace, content=f"# {status}\n\nOn its way.", source_uri=f"{status}.md")
        Document.objects.filter(source_uri=f"{status}.md").update(status=status)
    stats = client_for(admin_key).get("/stats").json()
    assert stats["documents"]["total"] == 3
    assert stats["documents_awaiting_reindex"] == 0
