import factory

from exports.models import ExportFormat, ExportJob, ExportType
from workspaces.tests.factories import WorkspaceFactory


class ExportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportJob

    workspace = factory.SubFactory(WorkspaceFactory)
    export_type = ExportType.CHAT_LOGS
    format = ExportFormat.JSONL
