import csv
import io
import json

import pytest

from audit.models import AuditLog
from audit.tests.factories import AuditLogFactory
from chat.serializers import ChatLogSerializer
from chat.tests.factories import ChatLogFactory
from documents.models import DocumentStatus
from documents.tests.factories import DocumentFactory
from exports.models import ExportJob, ExportStatus
from exports.services import export_files_delete_expired
from exports.tests.factories import ExportJobFactory

pytestmark = pytest.mark.django_db


def create(client, body, **headers):
    return client.post("/exports/jobs", body, format="json", **headers)


def download(client, job_id):
    response = client.get(f"/exports/jobs/{job_id}/download")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


def export_now(client, committed, body) -> ExportJob:
    """Create a job through the API and let the (eager) worker run it on commit."""
    with committed():
        response = create(client, body)
    assert response.status_code == 201, response.content
    return ExportJob.objects.get(pk=response.json()["id"])


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_create_audits_and_queues_a_job_that_a_worker_completes(
    client_for, admin_key, workspace, other_workspace, committed, export_storage
):
    logs = ChatLogFactory.create_batch(3, workspace=workspace)
    ChatLogFactory(workspace=other_workspace)
    client = client_for(admin_key, workspace)
    with committed():
        response = create(client, {"export_type": "chat_logs", "format": "jsonl"}, HTTP_X_REQUEST_ID="req-export-1")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "pending" and body["attempts"] == 0 and body["workspace_id"] == workspace.pk
        assert "file_path" not in body  # where files live is the server's business

    job = ExportJob.objects.get(pk=body["id"])
    assert job.status == ExportStatus.SUCCEEDED and job.attempts == 1, job.error
    assert job.file_path == f"{job.pk}.jsonl"
    assert job.file_size == (export_storage / job.file_path).stat().st_size > 0
    audit = AuditLog.objects.get(action="export_job.create")
    assert audit.workspace_ids == [workspace.pk] and audit.request_id == "req-export-1"
    assert audit.actor.startswith("key:") and audit.metadata["job_id"] == str(job.pk)

    detail = client.get(f"/exports/jobs/{job.pk}").json()
    assert detail["status"] == "succeeded" and detail["file_available"] is True
    response, content = download(client, job.pk)
    assert response.status_code == 200 and response["Content-Type"] == "application/x-ndjson"
    assert f'filename="chat_logs-{job.pk}.jsonl"' in response["Content-Disposition"]
    rows = [json.loads(line) for line in content.decode().splitlines()]
    expected = {str(log.pk): ChatLogSerializer(log).data for log in logs}
    assert {row["id"]: row for row in rows} == json.loads(json.dumps(expected, default=str))
    assert len(rows) == 3  # each log once, none of the other workspace's


def test_csv_download_has_the_header_and_the_filtered_rows(client_for, admin_key, workspace, committed):
    refused = ChatLogFactory(workspace=workspace, refused=True, refusal_reason="unsafe", question="=cmd|' /C calc'!A0")
    ChatLogFactory(workspace=workspace, refused=False)
    client = client_for(admin_key, workspace)
    job = export_now(client, committed, {"export_type": "chat_logs", "format": "csv", "filters": {"refused": True}})
    assert job.filters == {"refused": True}

    response, content = download(client, job.pk)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    reader = csv.DictReader(io.StringIO(content.decode()))
    table = list(reader)
    assert reader.fieldnames == ChatLogSerializer.Meta.fields
    assert [row["id"] for row in table] == [str(refused.pk)]
    assert table[0]["refusal_reason"] == "unsafe" and table[0]["refused"] == "True"
    assert table[0]["question"] == "'=cmd|' /C calc'!A0"  # no formula runs when a spreadsheet opens it


def test_audit_log_export_holds_only_this_workspaces_rows(client_for, admin_key, workspace, committed):
    AuditLogFactory(action="workspace.archive", workspace_ids=[workspace.pk])
    AuditLogFactory(action="workspace.archive", workspace_ids=["beta"])
    AuditLogFactory(action="workspace.restore", workspace_ids=[workspace.pk])
    client = client_for(admin_key, workspace)
    job = export_now(client, committed, {"export_type": "audit_logs", "filters": {"action": "workspace.archive"}})
    _, content = download(client, job.pk)
    rows = [json.loads(line) for line in content.decode().splitlines()]
    assert [(row["action"], row["workspace_ids"]) for row in rows] == [("workspace.archive", [workspace.pk])]


def test_document_export_is_metadata_without_content(client_for, admin_key, workspace, committed):
    failed = DocumentFactory(workspace=workspace, status=DocumentStatus.FAILED, metadata={"tags": ["ops"]})
    DocumentFactory(workspace=workspace)
    client = client_for(admin_key, workspace)
    job = export_now(client, committed, {"export_type": "documents", "format": "csv", "filters": {"status": "failed"}})
    _, content = download(client, job.pk)
    table = list(csv.DictReader(io.StringIO(content.decode())))
    assert [row["id"] for row in table] == [str(failed.pk)]
    assert json.loads(table[0]["metadata"]) == {"tags": ["ops"]} and "content" not in table[0]


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "export_type"),
        ({"export_type": "pdfs"}, "export_type"),
        ({"export_type": "chat_logs", "format": "xml"}, "format"),
        ({"export_type": "chat_logs", "filters": [1, 2]}, "filters"),
        ({"export_type": "chat_logs", "filters": "refused"}, "filters"),
        ({"export_type": "chat_logs", "filters": None}, "filters"),
        ({"export_type": "chat_logs", "filters": {"bogus": 1}}, "filters"),
        ({"export_type": "chat_logs", "filters": {"since": "yesterday"}}, "filters"),
        ({"export_type": "chat_logs", "filters": {"session_id": "not-a-uuid"}}, "filters"),
        ({"export_type": "audit_logs", "filters": {"refused": True}}, "filters"),
        ({"export_type": "audit_logs", "filters": {"workspace_id": "beta"}}, "filters"),
        ({"export_type": "documents", "filters": {"status": "lost"}}, "filters"),
    ],
)
def test_bad_input_answers_400_in_the_envelope(client_for, admin_key, workspace, body, field):
    response = create(client_for(admin_key, workspace), body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"] and error["request_id"]
    assert not ExportJob.objects.exists() and not AuditLog.objects.exists()


def test_malformed_bodies_answer_400(client_for, admin_key, workspace):
    client = client_for(admin_key, workspace)
    broken = client.post("/exports/jobs", "{not json", content_type="application/json")
    assert broken.status_code == 400 and error_code(broken) == "malformed_request"
    listed = client.post("/exports/jobs", [{"export_type": "chat_logs"}], format="json")
    assert listed.status_code == 400 and error_code(listed) == "validation_error"
    form = client.post("/exports/jobs", {"export_type": "chat_logs"}, format="multipart")
    assert form.status_code == 415
    unknown_filter = create(client, {"export_type": "chat_logs", "filters": {"refusd": True}})
    assert "refusd" in unknown_filter.json()["error"]["message"]
    assert not ExportJob.objects.exists()


def test_exports_are_for_admins_only(client_for, editor_key, viewer_key, revoked_key, workspace):
    job = ExportJobFactory(workspace=workspace, succeeded=True)
    for key, expected in ((editor_key, 403), (viewer_key, 403), (revoked_key, 401), (None, 401)):
        client = client_for(key, workspace)
        for response in (
            client.get("/exports/jobs"),
            create(client, {"export_type": "chat_logs"}),
            client.get(f"/exports/jobs/{job.pk}"),
            client.get(f"/exports/jobs/{job.pk}/download"),
            client.post(f"/exports/jobs/{job.pk}/retry"),
        ):
            assert response.status_code == expected
    assert ExportJob.objects.count() == 1


def test_jobs_of_another_workspace_answer_404(
    client_for, admin_key, other_workspace_key, workspace, other_workspace, export_storage
):
    theirs = ExportJobFactory(workspace=other_workspace, failed=True)
    ours = ExportJobFactory(workspace=workspace, succeeded=True)
    export_storage.mkdir(parents=True, exist_ok=True)
    (export_storage / ours.file_path).write_text("{}\n")

    admin = client_for(admin_key, workspace)
    assert [job["id"] for job in admin.get("/exports/jobs").json()["results"]] == [str(ours.pk)]
    for response in (
        admin.get(f"/exports/jobs/{theirs.pk}"),
        admin.get(f"/exports/jobs/{theirs.pk}/download"),
        admin.post(f"/exports/jobs/{theirs.pk}/retry"),
    ):
        assert response.status_code == 404 and error_code(response) == "not_found"

    # A key scoped to the other workspace reaches neither this workspace nor its jobs.
    scoped = client_for(other_workspace_key)
    assert client_for(other_workspace_key, workspace).get("/exports/jobs").status_code == 404
    assert create(client_for(other_workspace_key, workspace), {"export_type": "chat_logs"}).status_code == 404
    for response in (
        scoped.get(f"/exports/jobs/{ours.pk}"),
        scoped.get(f"/exports/jobs/{ours.pk}/download"),
        scoped.post(f"/exports/jobs/{ours.pk}/retry"),
    ):
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ExportStatus.FAILED


def test_archived_workspace_refuses_new_and_retried_jobs_but_serves_downloads(
    client_for, admin_key, workspace, committed
):
    ChatLogFactory(workspace=workspace)
    client = client_for(admin_key, workspace)
    done = export_now(client, committed, {"export_type": "chat_logs"})
    failed = ExportJobFactory(workspace=workspace, failed=True)
    client.post(f"/workspaces/{workspace.pk}/archive", {"reason": "frozen"}, format="json")

    for response in (create(client, {"export_type": "chat_logs"}), client.post(f"/exports/jobs/{failed.pk}/retry")):
        assert response.status_code == 409 and error_code(response) == "workspace_archived"
    failed.refresh_from_db()
    assert failed.status == ExportStatus.FAILED and ExportJob.objects.count() == 2
    assert client.get("/exports/jobs").json()["count"] == 2
    assert download(client, done.pk)[0].status_code == 200


@pytest.mark.parametrize("state", ["pending", "running", "succeeded"])
def test_retry_is_only_for_failed_jobs(client_for, admin_key, workspace, state):
    job = ExportJobFactory(workspace=workspace, **({state: True} if state != "pending" else {}))
    response = client_for(admin_key, workspace).post(f"/exports/jobs/{job.pk}/retry")
    assert response.status_code == 409 and error_code(response) == "export_job_not_failed"
    assert state in response.json()["error"]["message"]
    job.refresh_from_db()
    assert job.status == state and not AuditLog.objects.filter(action="export_job.retry").exists()


def test_retry_of_a_failed_job_audits_and_runs_it_again(client_for, admin_key, workspace, committed):
    ChatLogFactory(workspace=workspace)
    job = ExportJobFactory(workspace=workspace, failed=True)
    client = client_for(admin_key, workspace)
    with committed():
        response = client.post(f"/exports/jobs/{job.pk}/retry", HTTP_X_REQUEST_ID="req-retry-1")
        assert response.status_code == 202
        assert response.json()["status"] == "pending" and response.json()["error"] == ""
    job.refresh_from_db()
    assert job.status == ExportStatus.SUCCEEDED and job.attempts == 2
    audit = AuditLog.objects.get(action="export_job.retry")
    assert audit.request_id == "req-retry-1" and audit.metadata["job_id"] == str(job.pk)
    assert download(client, job.pk)[0].status_code == 200


def test_list_filters_and_paginates(client_for, admin_key, workspace):
    ExportJobFactory(workspace=workspace, failed=True)
    ExportJobFactory(workspace=workspace, export_type="documents")
    ExportJobFactory(workspace=workspace, export_type="documents", succeeded=True)
    client = client_for(admin_key, workspace)
    assert client.get("/exports/jobs").json()["count"] == 3
    assert client.get("/exports/jobs?status=failed").json()["count"] == 1
    assert client.get("/exports/jobs?export_type=documents").json()["count"] == 2
    assert client.get("/exports/jobs?export_type=documents&status=succeeded").json()["count"] == 1
    page = client.get("/exports/jobs?page_size=2&page=2").json()
    assert page["count"] == 3 and len(page["results"]) == 1
    for bad in ("status=done", "export_type=pdfs", "page=9"):
        response = client.get(f"/exports/jobs?{bad}")
        assert response.status_code in (400, 404) and "error" in response.json()


def test_download_needs_a_succeeded_job_with_its_file(client_for, admin_key, workspace, committed, export_storage):
    client = client_for(admin_key, workspace)
    for state in ({}, {"running": True}, {"failed": True}):
        job = ExportJobFactory(workspace=workspace, **state)
        response = client.get(f"/exports/jobs/{job.pk}/download")
        assert response.status_code == 409 and error_code(response) == "export_not_ready"

    ChatLogFactory(workspace=workspace)
    missing = export_now(client, committed, {"export_type": "chat_logs"})
    (export_storage / missing.file_path).unlink()  # lost from disk without retention knowing
    response = client.get(f"/exports/jobs/{missing.pk}/download")
    assert response.status_code == 404 and error_code(response) == "export_file_not_found"
    assert client.get("/exports/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/exports/jobs/not-a-uuid/download").status_code == 404


def test_download_after_retention_answers_export_file_not_found(client_for, admin_key, workspace, committed, settings):
    ChatLogFactory(workspace=workspace)
    client = client_for(admin_key, workspace)
    job = export_now(client, committed, {"export_type": "chat_logs"})
    settings.EXPORT_FILE_RETENTION_SECONDS = 0
    assert export_files_delete_expired() == 1

    response = client.get(f"/exports/jobs/{job.pk}/download")
    assert response.status_code == 404 and error_code(response) == "export_file_not_found"
    detail = client.get(f"/exports/jobs/{job.pk}").json()
    assert detail["status"] == "succeeded" and detail["file_available"] is False and detail["file_deleted_at"]
