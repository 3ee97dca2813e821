import uuid

import factory
from django.utils import timezone

from exports.models import ExportFormat, ExportJob, ExportStatus, ExportType
from workspaces.tests.factories import WorkspaceFactory


class ExportJobFactory(factory.django.DjangoModelFactory):
    """A pending job (not queued). Traits: `running`, `failed`, `succeeded` (no file on disk)."""

    class Meta:
        model = ExportJob

    id = factory.LazyFunction(uuid.uuid4)
    workspace = factory.SubFactory(WorkspaceFactory)
    export_type = ExportType.CHAT_LOGS
    format = ExportFormat.JSONL

    class Params:
        running = factory.Trait(status=ExportStatus.RUNNING, attempts=1, started_at=factory.LazyFunction(timezone.now))
        failed = factory.Trait(
            status=ExportStatus.FAILED,
            attempts=1,
            error="OperationalError: the database went away",
            started_at=factory.LazyFunction(timezone.now),
            finished_at=factory.LazyFunction(timezone.now),
        )
        succeeded = factory.Trait(
            status=ExportStatus.SUCCEEDED,
            attempts=1,
            file_path=factory.LazyAttribute(lambda job: f"{job.id}.{job.format}"),
            file_size=0,
            started_at=factory.LazyFunction(timezone.now),
            finished_at=factory.LazyFunction(timezone.now),
        )
