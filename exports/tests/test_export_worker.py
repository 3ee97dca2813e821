"""Real Celery worker processes on the real (embedded) Redis: a worker killed mid-export."""

import json
import os
import signal
import time

import pytest

from chat.tests.factories import ChatLogFactory
from exports.models import ExportJob, ExportStatus
from exports.services import export_files_delete_expired, export_jobs_reset_stale
from exports.tasks import run_export_job
from exports.tests.factories import ExportJobFactory
from testing.exports import SLOW_CHAT_LOGS
from testing.processes import start_celery_worker, stop_process
from workspaces.tests.factories import WorkspaceFactory

ROWS = 40
ROW_DELAY_SECONDS = 0.25  # the killed worker would need 10 s; it gets about 1


def wait_for_status(job: ExportJob, statuses, *, timeout: float = 90) -> ExportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status} after {timeout} s")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_export_is_reset_and_the_job_completes_once(settings, export_storage):
    workspace = WorkspaceFactory(id="export-worker")
    logs = ChatLogFactory.create_batch(ROWS, workspace=workspace)
    job = ExportJobFactory(workspace=workspace, export_type=SLOW_CHAT_LOGS)
    storage_env = {"EXPORT_STORAGE_DIR": str(export_storage)}

    doomed = start_celery_worker(**storage_env, EXPORT_TEST_ROW_DELAY_SECONDS=str(ROW_DELAY_SECONDS))
    try:
        run_export_job.delay(str(job.pk))
        wait_for_status(job, {ExportStatus.RUNNING, ExportStatus.SUCCEEDED, ExportStatus.FAILED})
        assert job.status == ExportStatus.RUNNING, job.error
        time.sleep(4 * ROW_DELAY_SECONDS)  # a few rows into the export
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
    finally:
        stop_process(doomed)

    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING and job.attempts == 1  # nobody finished it
    assert [path.name for path in export_storage.iterdir() if not path.name.endswith(".tmp")] == []
    assert len(list(export_storage.glob(".*.tmp"))) == 1  # the dead worker's partial file, never renamed

    fresh = start_celery_worker(**storage_env)
    try:
        settings.EXPORT_JOB_RUNNING_TIMEOUT_SECONDS = 0
        assert export_jobs_reset_stale() == [job.pk]  # queued again on commit, to the fresh worker
        wait_for_status(job, {ExportStatus.SUCCEEDED, ExportStatus.FAILED})
    finally:
        stop_process(fresh)

    assert job.status == ExportStatus.SUCCEEDED and job.attempts == 2, job.error
    lines = (export_storage / job.file_path).read_text().splitlines()
    exported_ids = [json.loads(line)["id"] for line in lines]
    assert len(exported_ids) == ROWS and set(exported_ids) == {str(log.pk) for log in logs}  # each row exactly once
    assert job.file_size == (export_storage / job.file_path).stat().st_size

    # Finished means finished: a redelivered message for the job changes nothing.
    assert run_export_job.apply(args=[str(job.pk)]).get() == "skipped"
    assert ExportJob.objects.get(pk=job.pk).attempts == 2
    # The dead worker's partial file is swept once it is older than the running timeout.
    export_files_delete_expired()
    assert [path.name for path in export_storage.iterdir()] == [f"{job.pk}.jsonl"]
