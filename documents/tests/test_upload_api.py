import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from documents.models import Chunk, Document, DocumentStatus

pytestmark = pytest.mark.django_db


def md(name: str, text: str | bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/markdown")


def test_json_upload_is_indexed_by_a_task(client_for, editor_key, workspace, committed):
    client = client_for(editor_key, workspace)
    with committed():
        response = client.post(
            "/documents",
            {"title": "Runbook", "content": "# Restart\n\nRestart the pods.", "metadata": {"tags": ["ops"]}},
            format="json",
        )
    assert response.status_code == 202, response.content
    created = response.json()  # one JSON document is answered with that document, not a list
    assert created["status"] == "pending"
    document = Document.objects.get(pk=created["id"])
    assert document.status == DocumentStatus.COMPLETED and document.title == "Runbook"
    assert document.metadata == {"tags": ["ops"]}
    detail = client.get(f"/documents/{document.pk}").json()
    assert detail["status"] == "completed" and detail["chunk_count"] == 1
    found = client.post("/search", {"query": "restart pods"}, format="json").json()["results"]
    assert found[0]["document_id"] == str(document.pk)


def test_multipart_upload_of_several_files(client_for, editor_key, workspace, committed):
    with committed():
        response = client_for(editor_key, workspace).post(
            "/documents",
            {
                "files": [md("a.md", "# A\n\nAlpha."), md("b.markdown", "# B\n\nBeta."), md("c.txt", "Gamma.")],
                "metadata": '{"evidence_type": "faq"}',
            },
            format="multipart",
        )
    assert response.status_code == 202, response.content
    assert sorted(row["source_uri"] for row in response.json()) == ["a.md", "b.markdown", "c.txt"]
    assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.COMPLETED}
    assert {doc.metadata["evidence_type"] for doc in Document.objects.all()} == {"faq"}


def test_uploading_the_same_file_again_changes_nothing(client_for, editor_key, workspace, committed):
    client = client_for(editor_key, workspace)
    enqueued = []
    for _ in range(2):
        with committed() as callbacks:
            client.post("/documents", {"files": [md("a.md", "# A\n\nAlpha.")]}, format="multipart")
        enqueued.append(len(callbacks))
    assert enqueued == [1, 0]  # the second upload enqueued nothing
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    "upload, fragment",
    [
        (md("image.png", b"\x89PNG\r\n\x1a\n"), "only .md"),
        (md("latin.md", "caf\xe9".encode("latin-1")), "not UTF-8"),
        (md("binary.md", b"text\x00more"), "binary"),
        (md("empty.md", "   \n"), "empty"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(client_for, editor_key, workspace, upload, fragment):
    response = client_for(editor_key, workspace).post(
        "/documents", {"files": [md("good.md", "# Good"), upload]}, format="multipart"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_upload" and fragment in error["message"]
    assert not Document.objects.exists()


def test_oversized_file_and_body(client_for, editor_key, workspace, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    client = client_for(editor_key, workspace)
    big = client.post("/documents", {"files": [md("big.md", "x" * 200)]}, format="multipart")
    assert big.status_code == 400 and "larger than 100 bytes" in big.json()["error"]["message"]
    too_big_json = client.post("/documents", {"content": "y" * 200}, format="json")
    assert too_big_json.status_code == 400
    settings.MAX_REQUEST_BYTES = 1000
    huge = client.post("/documents", {"content": "z" * 5000}, format="json")
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "payload_too_large"
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"content": ""},
        {"content": 42, "title": []},
        {"content": "x", "metadata": [1, 2]},
        {"content": "x", "metadata": "{bad"},
    ],
)
def test_bad_json_documents_are_400(client_for, editor_key, workspace, payload):
    response = client_for(editor_key, workspace).post("/documents", payload, format="json")
    assert response.status_code == 400, response.content
    assert not Document.objects.exists()


def test_viewers_cannot_upload(client_for, viewer_key, workspace):
    response = client_for(viewer_key, workspace).post("/documents", {"content": "# x"}, format="json")
    assert response.status_code == 403


def test_reindex_one_and_all(client_for, editor_key, workspace, committed):
    client = client_for(editor_key, workspace)
    with committed():
        client.post("/documents", {"content": "# One\n\nFirst.", "source_uri": "one.md"}, format="json")
        client.post("/documents", {"content": "# Two\n\nSecond.", "source_uri": "two.md"}, format="json")
    one = Document.objects.get(source_uri="one.md")
    with committed():
        response = client.post(f"/documents/{one.pk}/reindex")
    assert response.status_code == 202
    one.refresh_from_db()
    assert one.status == DocumentStatus.COMPLETED
    Document.objects.filter(pk=one.pk).update(embedding_model="an-older-model")
    with committed():
        stale = client.post("/documents/reindex", {"only_stale": True}, format="json")
    assert stale.status_code == 202 and stale.json()["documents"] == 1
    assert set(Document.objects.values_list("embedding_model", flat=True)) == {"fake-hash"}
    assert client.post("/documents/reindex", {}, format="json").json()["documents"] == 2
    assert client.post("/documents/reindex", {"only_stale": "maybe"}, format="json").status_code == 400


def test_reindex_command_reembeds_other_models_only(workspace, ingest_fixture_docs, capsys):
    Document.objects.filter(source_uri="one.md").update(embedding_model="an-older-model")
    Chunk.objects.filter(document__source_uri="one.md").update(embedding=[0.0] * 383 + [1.0])
    call_command("reindex", "--stale", "--no-progress")
    assert "1 reindexed, 0 failed" in capsys.readouterr().out
    refreshed = Chunk.objects.get(document__source_uri="one.md")
    assert list(refreshed.embedding)[-1] != 1.0
    call_command("reindex", "--workspace", workspace.pk, "--no-progress")
    assert "2 reindexed" in capsys.readouterr().out


@pytest.fixture
def ingest_fixture_docs(workspace):
    from documents.indexing import documents_index
    from documents.services import document_upsert

    ids = [
        document_upsert(workspace=workspace, content=f"# {name}\n\nText {name}.", source_uri=f"{name}.md").document.pk
        for name in ("one", "two")
    ]
    documents_index(document_ids=ids)
