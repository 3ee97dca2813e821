from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from documents.ingest import ingest_paths, iter_markdown_files
from workspaces.services import workspace_get_or_create


class Command(BaseCommand):
    help = "Ingest Markdown files and folders into a workspace (unchanged files cost nothing)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--workspace", required=True, help="Workspace id; created when missing.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, paths, workspace, no_progress, **options):
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        target = workspace_get_or_create(workspace_id=workspace)
        if target.is_archived:
            raise CommandError(f"Workspace '{workspace}' is archived.")
        total = sum(1 for _ in iter_markdown_files(paths))
        with tqdm(total=total, unit="file", disable=no_progress or None, file=self.stderr) as bar:
            report = ingest_paths(workspace=target, paths=paths, on_file=lambda _: bar.update(1))
        for source, reason in report.failed:
            self.stderr.write(self.style.WARNING(f"skipped {source}: {reason}"))
        self.stdout.write(
            f"{workspace}: {report.indexed} indexed, {report.unchanged} unchanged, {len(report.failed)} failed"
        )
