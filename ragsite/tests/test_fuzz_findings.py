"""What fuzzing the API (test_fuzz_api.py) found, one plain test each: a 500, an answer the schema
did not describe, or input the API took that its schema refuses."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from documents.models import Document
from documents.tests.factories import DocumentFactory
from exports.tests.factories import ExportJobFactory

pytestmark = pytest.mark.django_db

ERROR_REFERENCE = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def operation(openapi, method: str, path: str) -> dict:
    return openapi["paths"][path][method]


def error_schema(response: dict) -> dict:
    return response["content"]["application/json"]["schema"]


# --- 500s ----------------------------------------------------------------------------------


def test_a_search_language_with_a_nul_character_is_a_400(client_for, admin_key, workspace):
    response = client_for(admin_key).patch("/workspaces/alpha", {"search_language": "eng\x00lish"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["search_language"]


# --- Answers the schema did not describe --------------------------------------------------


def test_an_uploaded_document_is_answered_with_its_chunk_count(client_for, editor_key, workspace):
    response = client_for(editor_key, workspace).post("/documents", {"title": "Notes", "content": "# Notes\n\nText."})
    assert response.status_code == 202
    assert response.json()["chunk_count"] == 0


def test_uploaded_files_are_answered_with_their_chunk_counts(client_for, editor_key, workspace):
    files = [SimpleUploadedFile("notes.md", b"# Notes\n\nText.")]
    response = client_for(editor_key, workspace).post("/documents", {"files": files}, format="multipart")
    assert response.status_code == 202
    assert [document["chunk_count"] for document in response.json()] == [0]


def test_every_operation_documents_its_errors_in_the_envelope(openapi):
    for path, operations in openapi["paths"].items():
        for method, spec in operations.items():
            responses = spec["responses"]
            expected = {"400", "404", "503"}
            if spec.get("security") != [{}]:
                expected |= {"401", "403", "429"}
            if method != "get":
                expected |= {"409", "413", "415"}
            assert expected <= set(responses), (method, path, sorted(responses))
            if not path.startswith("/v1/") and path != "/health":
                assert all(error_schema(responses[status]) == ERROR_REFERENCE for status in expected), (method, path)


def test_v1_errors_are_documented_in_openais_shape(openapi):
    responses = operation(openapi, "post", "/v1/chat/completions")["responses"]
    assert error_schema(responses["401"]) == {"$ref": "#/components/schemas/OpenAIError"}
    fields = openapi["components"]["schemas"]["OpenAIError"]["properties"]["error"]["properties"]
    assert {"code", "message", "request_id", "type", "param"} <= set(fields)


def test_downloading_an_export_that_has_not_succeeded_is_a_documented_409(client_for, admin_key, workspace, openapi):
    job = ExportJobFactory(workspace=workspace, failed=True)
    response = client_for(admin_key, workspace).get(f"/exports/jobs/{job.pk}/download")
    assert response.status_code == 409
    responses = operation(openapi, "get", "/exports/jobs/{job_id}/download")["responses"]
    assert error_schema(responses["409"]) == ERROR_REFERENCE


def test_the_chat_log_export_documents_its_csv(openapi):
    answer = operation(openapi, "get", "/chat/logs/export")["responses"]["200"]
    assert {"application/x-ndjson", "text/csv"} <= set(answer["content"])


def test_created_objects_link_to_the_operations_on_them(openapi):
    created = operation(openapi, "post", "/documents")["responses"]["202"]
    assert created["links"]["documents_retrieve"]["parameters"] == {"document_id": "$response.body#/id"}
    assert "documents_destroy" in created["links"]
    session = operation(openapi, "post", "/chat/sessions")["responses"]["201"]
    assert "chat_sessions_retrieve" in session["links"]


# --- Requests the schema does not describe ------------------------------------------------


def test_the_reindex_address_answers_only_post(client_for, editor_key, workspace):
    document = DocumentFactory(workspace=workspace)
    client = client_for(editor_key, workspace)
    assert client.get(f"/documents/{document.pk}/reindex").status_code == 405
    deleted = client.delete(f"/documents/{document.pk}/reindex")
    assert deleted.status_code == 405 and deleted.json()["error"]["code"] == "method_not_allowed"
    assert Document.objects.filter(pk=document.pk).exists()


def test_a_form_post_is_a_415_in_the_envelope(client_for, viewer_key, workspace):
    response = client_for(viewer_key, workspace).post(
        "/search", "query=rollback", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_multipart_is_read_only_by_uploads(client_for, editor_key, workspace):
    response = client_for(editor_key, workspace).post("/chat", {"question": "How?"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


# --- Values of another type than the schema's, taken and converted ------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/search", {"query": "rollback", "rerank": 0}, "rerank"),
        ("/search", {"query": "rollback", "min_similarity": True}, "min_similarity"),
        ("/search", {"query": "rollback", "limit": "5"}, "limit"),
        ("/context", {"chunk_id": "1"}, "chunk_id"),
        ("/chat/sessions", {"title": 0}, "title"),
        ("/documents/reindex", {"only_stale": "yes"}, "only_stale"),
        ("/workspaces", {"id": "gamma", "name": "Gamma", "description": 0}, "description"),
        ("/workspaces/bulk/archive", {"ids": ["alpha"], "reason": 0}, "reason"),
        ("/workspaces/bulk/archive-matching", {"confirm": 1, "expected_total": 1}, "confirm"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_value_of_another_type_is_a_400(client_for, admin_key, workspace, path, body, field):
    response = client_for(admin_key, workspace).post(path, body)
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["error"]["fields"]


def test_a_reindex_body_that_is_not_an_object_is_a_400(client_for, editor_key, workspace):
    response = client_for(editor_key, workspace).post("/documents/reindex", [{"only_stale": True}])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("page_size", ["", "null", "-1", "0", "1.5", "9" * 5000])
def test_a_page_size_that_is_not_a_positive_whole_number_is_a_400(client_for, viewer_key, workspace, page_size):
    response = client_for(viewer_key, workspace).get(f"/documents?page_size={page_size}")
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]


def test_a_write_to_an_id_of_the_wrong_shape_is_a_404_not_a_csrf_failure(admin_key, workspace):
    # As a real client is served: Django's test client skips the CSRF check unless told.
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {admin_key.raw_key}", HTTP_X_WORKSPACE_ID=workspace.pk)
    for response in (client.post("/documents/not-a-uuid/reindex"), client.delete("/documents/not-a-uuid")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
