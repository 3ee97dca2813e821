"""The job state machine: claim, run, finish, stale reset, retention."""

import json
import os
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditLog
from chat.models import ChatLog
from chat.tests.factories import ChatLogFactory
from exports import services, sources
from exports.models import ExportJob, ExportStatus
from exports.services import (
    export_files_delete_expired,
    export_job_claim,
    export_job_create,
    export_job_run,
    export_jobs_requeue_forgotten,
    export_jobs_reset_stale,
)
from exports.tests.factories import ExportJobFactory
from ragsite.celery import app

pytestmark = pytest.mark.django_db


def run_concurrently(target, arguments: list) -> list:
    """Call target(argument) in one thread per argument, all released at once by a barrier."""
    barrier = threading.Barrier(len(arguments))
    results = [None] * len(arguments)
    errors = []

    def worker(index, argument):
        try:
            barrier.wait(timeout=10)
            results[index] = target(argument)
        except Exception as exc:  # surfaced below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def final_files(folder):
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_a_job_exactly_one_claims_it():
    jobs = ExportJobFactory.create_batch(10)
    for job in jobs:
        claims = run_concurrently(lambda job_id: export_job_claim(job_id=job_id), [job.pk, job.pk])
        winners = [claim for claim in claims if claim is not None]
        assert len(winners) == 1, claims
        job.refresh_from_db()
        assert job.status == ExportStatus.RUNNING and job.attempts == 1 and winners[0].attempts == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_job_write_one_file(export_storage):
    job = ExportJobFactory()
    ChatLogFactory.create_batch(5, workspace=job.workspace)
    outcomes = run_concurrently(lambda job_id: export_job_run(job_id=job_id), [job.pk, job.pk])
    assert sorted(str(outcome and outcome.status) for outcome in outcomes) == ["None", "succeeded"]
    job.refresh_from_db()
    assert job.status == ExportStatus.SUCCEEDED and job.attempts == 1
    assert final_files(export_storage) == [f"{job.pk}.jsonl"]
    assert len((export_storage / job.file_path).read_text().splitlines()) == 5


def test_a_job_that_is_not_pending_is_not_claimed_again():
    for job in (ExportJobFactory(running=True), ExportJobFactory(succeeded=True), ExportJobFactory(failed=True)):
        assert export_job_claim(job_id=job.pk) is None
        assert export_job_run(job_id=job.pk) is None
        assert ExportJob.objects.get(pk=job.pk).attempts == 1
    assert export_job_run(job_id="00000000-0000-0000-0000-000000000000") is None  # the row is gone: nothing to do


def test_a_late_worker_that_lost_its_claim_discards_its_file(export_storage):
    job = ExportJobFactory()
    ChatLogFactory(workspace=job.workspace)
    presumed_dead = export_job_claim(job_id=job.pk)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.PENDING)  # what the stale reset does
    replacement = export_job_claim(job_id=job.pk)
    assert (presumed_dead.attempts, replacement.attempts) == (1, 2)

    late_file = services.storage.temp_file_for(job_id=job.pk)
    late_file.write_text("stale\n")
    assert services._export_job_succeed(job=presumed_dead, temp_path=late_file) is None
    assert services._export_job_fail(job=presumed_dead, error="late") is None
    assert not late_file.exists() and final_files(export_storage) == []
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING

    current_file = services.storage.temp_file_for(job_id=job.pk)
    services._write_rows(replacement, current_file)
    finished = services._export_job_succeed(job=replacement, temp_path=current_file)
    assert finished.status == ExportStatus.SUCCEEDED and finished.attempts == 2
    assert final_files(export_storage) == [f"{job.pk}.jsonl"]


def test_a_failing_export_is_failed_with_its_error_and_leaves_no_file(monkeypatch, export_storage):
    job = ExportJobFactory()
    ChatLogFactory.create_batch(3, workspace=job.workspace)

    def rows_then_crash(queryset, serializer_class):
        yield {"id": "first"}
        raise RuntimeError("the database cursor went away")

    monkeypatch.setattr(sources, "serialized_rows", rows_then_crash)
    failed = export_job_run(job_id=job.pk)
    assert failed.status == ExportStatus.FAILED and failed.attempts == 1 and failed.finished_at
    assert failed.error == "RuntimeError: the database cursor went away"
    assert failed.file_path == "" and list(export_storage.iterdir()) == []


def test_filters_are_stored_as_json_and_applied_when_the_job_runs(workspace, export_storage):
    old = ChatLogFactory(workspace=workspace)
    ChatLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    recent = ChatLogFactory(workspace=workspace)
    since = timezone.now() - timedelta(days=1, microseconds=123456)
    job = export_job_create(
        workspace=workspace,
        export_type="chat_logs",
        file_format="jsonl",
        filters={"since": since.isoformat(), "refused": None},
        actor="key:test",
    )
    assert job.filters == {"since": since.isoformat()}  # full precision, nulls dropped
    json.dumps(job.filters)
    export_job_run(job_id=job.pk)
    lines = (export_storage / f"{job.pk}.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [str(recent.pk)]


def test_job_and_audit_row_commit_together(monkeypatch, workspace):
    def broken_audit(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(services, "audit_log_record", broken_audit)
    with pytest.raises(RuntimeError):
        export_job_create(workspace=workspace, export_type="documents", file_format="csv", filters={}, actor="a")
    assert not ExportJob.objects.exists() and not AuditLog.objects.exists()


def test_stale_running_jobs_go_back_to_pending_and_are_queued_again(settings, committed, export_storage):
    settings.EXPORT_JOB_RUNNING_TIMEOUT_SECONDS = 600
    long_ago = timezone.now() - timedelta(seconds=601)
    stale = ExportJobFactory(running=True, started_at=long_ago)
    ChatLogFactory(workspace=stale.workspace)
    fresh = ExportJobFactory(running=True)
    exhausted = ExportJobFactory(running=True, started_at=long_ago, attempts=services.MAX_ATTEMPTS)

    with committed():
        assert export_jobs_reset_stale() == [stale.pk]
        stale.refresh_from_db()
        assert stale.status == ExportStatus.PENDING and stale.started_at is None and "Reset" in stale.error
    stale.refresh_from_db()  # the re-queued task ran on commit
    assert stale.status == ExportStatus.SUCCEEDED and stale.attempts == 2 and stale.error == ""
    fresh.refresh_from_db()
    exhausted.refresh_from_db()
    assert fresh.status == ExportStatus.RUNNING
    assert exhausted.status == ExportStatus.FAILED and "Gave up" in exhausted.error
    assert export_jobs_reset_stale() == []


def test_pending_jobs_whose_message_was_lost_are_queued_again(settings, committed, workspace, export_storage):
    settings.EXPORT_JOB_RUNNING_TIMEOUT_SECONDS = 600
    ChatLogFactory(workspace=workspace)
    job = export_job_create(workspace=workspace, export_type="chat_logs", file_format="jsonl", filters={}, actor="t")
    job.refresh_from_db()
    assert job.queued_at is not None  # its message went out on commit... and the broker lost it
    assert export_jobs_requeue_forgotten() == []  # queued just now: not forgotten yet
    ExportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(seconds=601))
    with committed():
        assert export_jobs_requeue_forgotten() == [job.pk]
    job.refresh_from_db()
    assert job.status == ExportStatus.SUCCEEDED and job.attempts == 1
    assert export_jobs_requeue_forgotten() == []  # only pending jobs are queued again


def test_retention_deletes_old_files_and_keeps_the_rows(settings, workspace, export_storage):
    ChatLogFactory(workspace=workspace)
    old, recent = ExportJobFactory(workspace=workspace), ExportJobFactory(workspace=workspace)
    for job in (old, recent):
        export_job_run(job_id=job.pk)
    settings.EXPORT_FILE_RETENTION_SECONDS = 3600
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(seconds=3601))
    size = ExportJob.objects.get(pk=old.pk).file_size

    assert export_files_delete_expired() == 1
    old.refresh_from_db()
    assert old.status == ExportStatus.SUCCEEDED and old.file_deleted_at is not None
    assert old.file_path == f"{old.pk}.jsonl" and old.file_size == size  # the record of what was there stays
    assert final_files(export_storage) == [f"{recent.pk}.jsonl"]
    assert export_files_delete_expired() == 0  # nothing left to delete; already-deleted rows are not counted again


def test_retention_sweeps_temp_files_of_dead_workers_only(settings, export_storage):
    settings.EXPORT_JOB_RUNNING_TIMEOUT_SECONDS = 600
    export_storage.mkdir(parents=True)
    abandoned = export_storage / ".dead-worker.tmp"
    in_progress = export_storage / ".live-worker.tmp"
    for path in (abandoned, in_progress):
        path.write_text("partial")
    hour_ago = time.time() - 3600
    os.utime(abandoned, (hour_ago, hour_ago))
    export_files_delete_expired()
    assert not abandoned.exists() and in_progress.exists()


def test_beat_runs_the_stale_reset_and_the_retention_tasks():
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"exports.reset_stale_export_jobs", "exports.delete_expired_export_files"} <= scheduled
    assert scheduled <= set(app.tasks)
