import logging
from typing import BinaryIO

from django.db.models import QuerySet

from core.errors import Conflict, NotFound
from exports import storage
from exports.models import ExportJob, ExportStatus
from workspaces.models import Workspace

logger = logging.getLogger(__name__)


def export_job_list(*, workspace: Workspace, filters: dict) -> QuerySet[ExportJob]:
    """Newest first. Filters: status, export_type."""
    jobs = ExportJob.objects.filter(workspace=workspace).order_by("-created_at", "id")
    if filters.get("status"):
        jobs = jobs.filter(status=filters["status"])
    if filters.get("export_type"):
        jobs = jobs.filter(export_type=filters["export_type"])
    return jobs


def export_job_get(*, workspace: Workspace, job_id) -> ExportJob | None:
    """A job of this workspace; another workspace's id looks like an unknown one."""
    return ExportJob.objects.filter(workspace=workspace, pk=job_id).first()


def export_job_file_open(*, job: ExportJob) -> BinaryIO:
    """The job's file, opened for reading. 409 unless the job succeeded; 404
    `export_file_not_found` when retention deleted the file or it is missing."""
    if job.status != ExportStatus.SUCCEEDED:
        raise Conflict(f"The export is {job.status}; only a succeeded job has a file.", code="export_not_ready")
    if job.file_deleted_at is None and job.file_path:
        try:
            return storage.resolve_export_path(job.file_path).open("rb")
        except (FileNotFoundError, IsADirectoryError, storage.UnsafeExportPath):
            logger.warning("export job %s: its file is missing or outside the export folder", job.pk)
    raise NotFound("The export file no longer exists.", code="export_file_not_found")
