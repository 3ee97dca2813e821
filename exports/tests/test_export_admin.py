import pytest

from audit.models import AuditLog
from exports.models import ExportStatus
from exports.tests.factories import ExportJobFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/exports/exportjob/"


def test_retry_action_queues_failed_jobs_and_skips_the_rest(admin_client):
    failed = ExportJobFactory(failed=True)
    succeeded = ExportJobFactory(succeeded=True)
    response = admin_client.post(
        CHANGELIST, {"action": "retry_failed", "_selected_action": [failed.pk, succeeded.pk]}, follow=True
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    succeeded.refresh_from_db()
    assert failed.status == ExportStatus.PENDING and succeeded.status == ExportStatus.SUCCEEDED
    assert AuditLog.objects.get(action="export_job.retry").actor == "user:admin"
    messages = [str(message) for message in response.context["messages"]]
    assert "Queued 1 failed job(s) again." in messages and "Skipped 1 job(s) that had not failed." in messages


def test_file_fields_are_read_only_and_jobs_are_not_added_by_hand(admin_client):
    job = ExportJobFactory(succeeded=True)
    page = admin_client.get(f"{CHANGELIST}{job.pk}/change/").content.decode()
    assert 'name="status"' in page
    for field in ("file_path", "file_size", "file_deleted_at", "attempts"):
        assert f'name="{field}"' not in page
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
