"""Export jobs: a persisted state machine run by Celery workers.

    pending --claim--> running --> succeeded | failed
       ^                  |                      |
       +---- stale reset -+          retry ------+ (back to pending)

Only one worker can take a job out of `pending` (a conditional UPDATE), and a
worker may finish only the attempt it claimed: a worker presumed dead that
comes back late cannot overwrite the result of the attempt that replaced it.
"""

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import audit_log_record
from core.errors import Conflict
from core.formats import ROW_CHUNK_SIZE, export_lines
from core.queue import enqueue_on_commit
from exports import storage
from exports.models import ExportJob, ExportStatus
from exports.sources import export_filters_clean, export_rows
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

# A job whose worker died this many times is failed instead of queued again,
# so an export that kills its worker (out of memory, say) cannot loop forever.
MAX_ATTEMPTS = 3
ERROR_MAX_CHARS = 2000


def export_job_create(
    *, workspace: Workspace, export_type: str, file_format: str, filters: dict, actor: str, request_id: str = ""
) -> ExportJob:
    """Record a pending job and queue it once the transaction commits.

    Filters are validated for the export type (a ValidationError names the problem).
    """
    cleaned_filters = export_filters_clean(export_type=export_type, filters=filters)
    with transaction.atomic():
        job = ExportJob.objects.create(
            workspace=workspace,
            export_type=export_type,
            format=file_format,
            filters=cleaned_filters,
            actor=actor,
            request_id=request_id,
        )
        audit_log_record(
            action="export_job.create",
            actor=actor,
            request_id=request_id,
            workspace_ids=[workspace.pk],
            metadata={"job_id": str(job.pk), "export_type": export_type, "format": file_format},
        )
        _enqueue_on_commit(job.pk)
    return job


def export_job_retry(*, job: ExportJob, actor: str, request_id: str = "") -> ExportJob:
    """failed -> pending, queued again. Any other status answers 409."""
    with transaction.atomic():
        retried = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.FAILED).update(
            status=ExportStatus.PENDING, error="", started_at=None, finished_at=None
        )
        if not retried:
            current = ExportJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
            raise Conflict(
                f"Only a failed export job can be retried; this one is {current}.", code="export_job_not_failed"
            )
        audit_log_record(
            action="export_job.retry",
            actor=actor,
            request_id=request_id,
            workspace_ids=[job.workspace_id],
            metadata={"job_id": str(job.pk), "attempts": job.attempts},
        )
        _enqueue_on_commit(job.pk)
    job.refresh_from_db()
    return job


def export_job_claim(*, job_id) -> ExportJob | None:
    """Take a pending job for this worker: running, one more attempt. None when the
    job is gone or not pending (another worker won, or a message came twice).

    The claim is one conditional UPDATE. Of two workers racing for the row, the
    second waits for the first's row lock; PostgreSQL then re-checks
    `status = 'pending'` against the committed row, finds it false and updates
    nothing. So exactly one worker sees a row updated.
    """
    with transaction.atomic():
        claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
            status=ExportStatus.RUNNING,
            attempts=F("attempts") + 1,
            started_at=timezone.now(),
            finished_at=None,
            error="",
        )
        if not claimed:
            return None
        # The UPDATE's row lock lasts until commit, so this reads our own attempt.
        return ExportJob.objects.select_related("workspace").get(pk=job_id)


def export_job_run(*, job_id) -> ExportJob | None:
    """Claim one job and write its file: rows streamed to a temp file in the
    storage folder, then renamed into place. Returns the job as this worker
    left it, or None when there was nothing for this worker to do."""
    job = export_job_claim(job_id=job_id)
    if job is None:
        logger.info("export job %s not claimed: gone or not pending", job_id)
        return None
    temp_path = None
    try:
        temp_path = storage.temp_file_for(job_id=job.pk)
        _write_rows(job, temp_path)
        return _export_job_succeed(job=job, temp_path=temp_path)
    except Exception as exc:  # any failure of the export is the job's failure, recorded on it
        logger.exception("export job %s failed", job.pk)
        if temp_path is not None:
            temp_path.unlink(missing_ok=True)
        return _export_job_fail(job=job, error=f"{type(exc).__name__}: {exc}")


def export_jobs_reset_stale(*, now: datetime | None = None) -> list:
    """Hand `running` jobs started longer than EXPORT_JOB_RUNNING_TIMEOUT_SECONDS
    ago (their worker is presumed dead) back to `pending` and queue them again;
    returns their ids. Jobs that used MAX_ATTEMPTS are failed instead."""
    now = now or timezone.now()
    timeout = settings.EXPORT_JOB_RUNNING_TIMEOUT_SECONDS
    stale = ExportJob.objects.filter(status=ExportStatus.RUNNING, started_at__lt=now - timedelta(seconds=timeout))
    with transaction.atomic():
        given_up = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
            status=ExportStatus.FAILED,
            finished_at=now,
            error=f"Gave up: its worker was lost, and the job has had {MAX_ATTEMPTS} attempts.",
        )
        if given_up:
            logger.warning("failed %d stale export job(s) that had used all %d attempts", given_up, MAX_ATTEMPTS)
        # Locked until commit: a late worker finishing one of these waits, then sees it is no longer its job.
        job_ids = list(stale.select_for_update(skip_locked=True).values_list("pk", flat=True))
        ExportJob.objects.filter(pk__in=job_ids).update(
            status=ExportStatus.PENDING,
            started_at=None,
            error=f"Reset: still running after {timeout} seconds, so its worker was presumed lost.",
        )
        for job_id in job_ids:
            _enqueue_on_commit(job_id)
    if job_ids:
        logger.warning("reset %d stale export job(s) to pending", len(job_ids))
    return job_ids


def export_files_delete_expired(*, now: datetime | None = None) -> int:
    """Delete the files of jobs finished longer than EXPORT_FILE_RETENTION_SECONDS
    ago; the rows stay, with `file_deleted_at` set. Returns how many jobs lost
    their file. Also removes temp files left by workers that died."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EXPORT_FILE_RETENTION_SECONDS)
    expired = ExportJob.objects.filter(finished_at__lt=cutoff, file_deleted_at__isnull=True).exclude(file_path="")
    count = 0
    for job_id, file_path in expired.values_list("pk", "file_path").iterator(chunk_size=ROW_CHUNK_SIZE):
        try:
            storage.delete_export_file(file_path)
        except storage.UnsafeExportPath:
            # Never delete outside the folder. Downloads refuse such a path too, so
            # marking it deleted is what users see anyway.
            logger.error("export job %s has a file path outside the export folder; left alone", job_id)
        ExportJob.objects.filter(pk=job_id, file_deleted_at__isnull=True).update(file_deleted_at=now)
        count += 1
    storage.delete_stale_temp_files(older_than_seconds=settings.EXPORT_JOB_RUNNING_TIMEOUT_SECONDS)
    return count


def _write_rows(job: ExportJob, path: Path) -> None:
    fields, rows = export_rows(export_type=job.export_type, workspace=job.workspace, filters=job.filters)
    with path.open("w", encoding="utf-8", newline="") as out:
        for line in export_lines(rows, format=job.format, fields=fields):
            out.write(line)
        out.flush()
        os.fsync(out.fileno())  # on disk before the rename makes it visible


def _export_job_succeed(*, job: ExportJob, temp_path: Path) -> ExportJob | None:
    relative_path = storage.export_file_name(job_id=job.pk, file_format=job.format)
    with transaction.atomic():
        # The row lock orders finishers: the check that this attempt still owns
        # the job and the rename happen with no other finisher in between.
        owned = (
            ExportJob.objects.select_for_update()
            .filter(pk=job.pk, status=ExportStatus.RUNNING, attempts=job.attempts)
            .values_list("pk", flat=True)
        )
        if not list(owned):
            temp_path.unlink(missing_ok=True)
            logger.warning("export job %s attempt %d lost its claim; result discarded", job.pk, job.attempts)
            return None
        file_size = storage.move_into_place(temp_path, relative_path)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.SUCCEEDED,
            file_path=relative_path,
            file_size=file_size,
            file_deleted_at=None,
            finished_at=timezone.now(),
            error="",
        )
    return ExportJob.objects.get(pk=job.pk)


def _export_job_fail(*, job: ExportJob, error: str) -> ExportJob | None:
    failed = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING, attempts=job.attempts).update(
        status=ExportStatus.FAILED, error=error[:ERROR_MAX_CHARS], finished_at=timezone.now()
    )
    return ExportJob.objects.filter(pk=job.pk).first() if failed else None


def export_jobs_requeue_forgotten(*, now: datetime | None = None) -> list:
    """Queue again `pending` jobs last queued longer than EXPORT_JOB_RUNNING_TIMEOUT_SECONDS
    ago: their message was lost (the broker was down at commit, say). A duplicate
    message is harmless, since only one worker can claim the job."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EXPORT_JOB_RUNNING_TIMEOUT_SECONDS)
    with transaction.atomic():
        job_ids = list(
            ExportJob.objects.filter(status=ExportStatus.PENDING, queued_at__lt=cutoff)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        for job_id in job_ids:
            _enqueue_on_commit(job_id)
    if job_ids:
        logger.warning("queued %d forgotten pending export job(s) again", len(job_ids))
    return job_ids


def _enqueue_on_commit(job_id) -> None:
    ExportJob.objects.filter(pk=job_id).update(queued_at=timezone.now())
    enqueue_on_commit("exports.run_export_job", str(job_id))
