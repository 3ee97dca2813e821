from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from core.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Back up the database to one file (pg_dump, custom format): documents, chunks and their vectors, "
        "BM25 statistics, chat logs, keys, everything. Safe while the site runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="The file to write (default: .data/backups/ragsite-<UTC time>.dump)."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The Django database alias.")

    def handle(self, *args, output, database, **options):
        output = output or Path(settings.DATA_DIR) / "backups" / f"ragsite-{timezone.now():%Y%m%d-%H%M%S}.dump"
        try:
            archive = database_backup(output=output, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{archive.path}: {archive.size_bytes / 1024:,.0f} KiB, {archive.tables} tables")
