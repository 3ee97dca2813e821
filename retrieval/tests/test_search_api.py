import pytest
from django.utils import timezone

from documents.models import Chunk

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(workspace, ingest):
    sections = "\n\n".join(f"## Step {n}\n\nStep {n} of the rollout: do thing {n}." for n in range(1, 6))
    return ingest(
        workspace,
        f"# Rollout guide\n\nIntro to the rollout.\n\n{sections}",
        source_uri="guide.md",
        metadata={"tags": ["ops"]},
    )


def test_search_returns_chunks_with_scores_and_echoes_the_request(client_for, viewer_key, workspace, guide):
    response = client_for(viewer_key, workspace).post("/search", {"query": "step 3 rollout", "limit": 3}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total_results"] == len(body["results"]) == 3
    top = body["results"][0]
    assert top["heading_path"] == ["Rollout guide", "Step 3"]
    assert top["document_id"] == str(guide.pk) and top["title"] == "Rollout guide"
    assert top["metadata"] == {"tags": ["ops"]}
    assert set(top["scores"]) >= {
        "vector_rank",
        "vector_similarity",
        "keyword_rank",
        "keyword_score",
        "fused_score",
        "rerank_score",
    }
    assert body["request"]["query"] == "step 3 rollout" and body["request"]["workspace_id"] == workspace.pk


def test_workspace_from_body_or_project_id(client_for, viewer_key, workspace, guide):
    client = client_for(viewer_key)
    for field in ("workspace_id", "project_id"):
        response = client.post("/search", {"query": "rollout", field: workspace.pk, "user_id": "u1"}, format="json")
        assert response.status_code == 200 and response.json()["total_results"] > 0


@pytest.mark.parametrize(
    "payload, code",
    [
        ({}, "validation_error"),
        ({"query": ""}, "validation_error"),
        ({"query": "   "}, "validation_error"),
        ({"query": "x", "limit": 0}, "validation_error"),
        ({"query": "x", "limit": "many"}, "validation_error"),
        ({"query": "x", "min_similarity": 5}, "validation_error"),
        ({"query": "x", "filters": {"tags": {"a": 1}}}, "invalid_filter"),
        ({"query": "x", "filters": "tags"}, "validation_error"),
        ({"query": "x" * 5000}, "validation_error"),
    ],
)
def test_bad_search_input_is_a_clear_400(client_for, viewer_key, workspace, payload, code):
    response = client_for(viewer_key, workspace).post("/search", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_search_and_context_keep_working_on_archived_workspaces(client_for, viewer_key, workspace, guide):
    workspace.archived_at = timezone.now()
    workspace.save()
    client = client_for(viewer_key, workspace)
    assert client.post("/search", {"query": "rollout"}, format="json").status_code == 200
    chunk = Chunk.objects.filter(document=guide).first()
    assert client.post("/context", {"chunk_id": chunk.pk}, format="json").status_code == 200


def test_context_returns_neighbours_in_order(client_for, viewer_key, workspace, guide):
    middle = Chunk.objects.get(document=guide, ordinal=3)
    response = client_for(viewer_key, workspace).post(
        "/context", {"chunk_id": middle.pk, "context_window": 2}, format="json"
    )
    body = response.json()
    assert body["chunk"]["chunk_id"] == middle.pk
    assert [chunk["ordinal"] for chunk in body["context_before"]] == [1, 2]
    assert [chunk["ordinal"] for chunk in body["context_after"]] == [4, 5]


def test_context_of_another_workspace_or_unknown_chunk_is_404(
    client_for, viewer_key, other_workspace_key, workspace, guide
):
    chunk = Chunk.objects.filter(document=guide).first()
    assert client_for(other_workspace_key).post("/context", {"chunk_id": chunk.pk}, format="json").status_code == 404
    assert client_for(viewer_key, workspace).post("/context", {"chunk_id": 999999}, format="json").status_code == 404
    bad = client_for(viewer_key, workspace).post("/context", {"chunk_id": "x"}, format="json")
    assert bad.status_code == 400


def test_search_needs_a_key(workspace):
    from rest_framework.test import APIClient

    assert APIClient().post("/search", {"query": "x", "workspace_id": workspace.pk}, format="json").status_code == 401


def test_results_grouped_by_document_on_request(client_for, viewer_key, workspace, guide, ingest, settings):
    other = ingest(workspace, "# Rollback\n\nRoll back the rollout step by step.", source_uri="rollback.md")
    client = client_for(viewer_key, workspace)
    plain = client.post("/search", {"query": "rollout step", "limit": 6}, format="json").json()
    assert "documents" not in plain
    body = client.post(
        "/search", {"query": "rollout step", "limit": 6, "group_by_document": True}, format="json"
    ).json()
    documents = body["documents"]
    assert {document["document_id"] for document in documents} == {str(guide.pk), str(other.pk)}
    by_id = {document["document_id"]: document for document in documents}
    assert sorted(by_id[str(guide.pk)]["chunk_ids"] + by_id[str(other.pk)]["chunk_ids"]) == sorted(
        result["chunk_id"] for result in body["results"]
    )
    best = {result["document_id"]: result["scores"]["fused_score"] for result in reversed(body["results"])}
    assert by_id[str(guide.pk)]["score"] == pytest.approx(best[str(guide.pk)])  # share 0: its best chunk's
    assert by_id[str(guide.pk)]["title"] == "Rollout guide" and by_id[str(other.pk)]["source_uri"] == "rollback.md"

    # With a share of the second best, the guide's many matching steps lift it.
    settings.DOCUMENT_NEXT_CHUNK_SHARE = 0.5
    shared = client.post("/search", {"query": "rollout step", "limit": 6, "group_by_document": True}, format="json")
    guide_hit = next(hit for hit in shared.json()["documents"] if hit["document_id"] == str(guide.pk))
    assert guide_hit["score"] > by_id[str(guide.pk)]["score"]
