from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core.backup import BackupError, archive_summary, database_restore


class Command(BaseCommand):
    help = (
        "Restore the database from a file made by `backup`, replacing what it holds, in one transaction. "
        "Stop the web server, the Celery workers and beat first; run `migrate` after when the code is newer."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The Django database alias.")
        parser.add_argument(
            "--force", action="store_true", help="Restore even while other sessions are connected to the database."
        )
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, archive, database, force, interactive, **options):
        try:
            summary = archive_summary(archive)
            name = connections[database].settings_dict["NAME"]
            if (
                interactive
                and input(
                    f"This replaces what database '{name}' holds with {archive} ({summary.tables} tables). "
                    "Type 'yes' to go on: "
                )
                != "yes"
            ):
                raise CommandError("Restore cancelled.")
            database_restore(archive=archive, using=database, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {archive} into '{name}' ({summary.tables} tables).")
