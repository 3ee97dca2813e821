"""No path outside EXPORT_STORAGE_DIR is ever read, written or deleted."""

import pytest
from django.utils import timezone

from chat.tests.factories import ChatLogFactory
from exports.models import ExportJob
from exports.services import export_files_delete_expired, export_job_run
from exports.storage import UnsafeExportPath, resolve_export_path
from exports.tests.factories import ExportJobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(tmp_path):
    """A file beside (not inside) the storage folder."""
    path = tmp_path / "secret.txt"
    path.write_text("not yours")
    return path


@pytest.mark.parametrize(
    "relative_path", ["", ".", "../secret.txt", "a/../../secret.txt", "/etc/passwd", "..", "sub/../.."]
)
def test_paths_that_leave_the_folder_are_refused(relative_path):
    with pytest.raises(UnsafeExportPath):
        resolve_export_path(relative_path)


def test_a_symlink_out_of_the_folder_is_refused(export_storage, secret):
    export_storage.mkdir(parents=True)
    (export_storage / "link.jsonl").symlink_to(secret)
    with pytest.raises(UnsafeExportPath):
        resolve_export_path("link.jsonl")
    assert resolve_export_path("fine.jsonl") == export_storage.resolve() / "fine.jsonl"


def test_file_names_come_from_the_job_id_never_from_the_request(client_for, admin_key, workspace, export_storage):
    ChatLogFactory(workspace=workspace, question="../../etc/passwd")
    body = {"export_type": "chat_logs", "format": "csv", "filters": {"q": "../../etc/passwd"}}
    created = client_for(admin_key, workspace).post("/exports/jobs", body, format="json").json()
    job = export_job_run(job_id=created["id"])
    assert job.file_path == f"{job.pk}.csv"
    assert [path.name for path in export_storage.iterdir()] == [f"{job.pk}.csv"]


@pytest.mark.parametrize("tampered", ["../secret.txt", "SECRET_ABSOLUTE"])
def test_a_tampered_file_path_is_neither_served_nor_deleted(
    client_for, admin_key, workspace, settings, secret, tampered
):
    file_path = str(secret) if tampered == "SECRET_ABSOLUTE" else tampered
    job = ExportJobFactory(workspace=workspace, succeeded=True, file_path=file_path)
    response = client_for(admin_key, workspace).get(f"/exports/jobs/{job.pk}/download")
    assert response.status_code == 404 and response.json()["error"]["code"] == "export_file_not_found"

    settings.EXPORT_FILE_RETENTION_SECONDS = 0
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now())
    export_files_delete_expired()
    assert secret.read_text() == "not yours"


def test_a_symlinked_export_file_is_not_served(client_for, admin_key, workspace, export_storage, secret):
    job = ExportJobFactory(workspace=workspace, succeeded=True)
    export_storage.mkdir(parents=True)
    (export_storage / job.file_path).symlink_to(secret)
    response = client_for(admin_key, workspace).get(f"/exports/jobs/{job.pk}/download")
    assert response.status_code == 404 and b"not yours" not in response.content
