from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from documents.indexing import documents_index
from documents.models import Chunk
from documents.selectors import documents_for_reindex
from workspaces.models import Workspace


class Command(BaseCommand):
    help = "Index documents again (after a model or chunking change); unchanged chunks keep their vectors."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="Only this workspace (default: all).")
        parser.add_argument("--stale", action="store_true", help="Only documents of another model, or not completed.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, workspace, stale, no_progress, **options):
        target = None
        if workspace:
            target = Workspace.objects.filter(pk=workspace).first()
            if target is None:
                raise CommandError(f"Workspace '{workspace}' does not exist.")
        documents = documents_for_reindex(workspace=target, only_stale=stale)
        chunks = Chunk.objects.filter(document__in=documents).count()
        document_ids = list(documents.order_by("pk").values_list("pk", flat=True))
        with tqdm(total=chunks or None, unit="chunk", disable=no_progress or None, file=self.stderr) as bar:
            outcome = documents_index(document_ids=document_ids, progress=bar.update)
        self.stdout.write(f"{outcome['completed']} reindexed, {outcome['failed']} failed")
