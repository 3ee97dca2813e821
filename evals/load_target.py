"""What `manage.py load` runs against: the sample documents in a workspace of the run's own,
an editor key for it, and the web server and a Celery worker started as `serve` starts them."""

import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from core.processes import celery_worker_commands, stop_processes, wait_until_healthy, web_server_command
from core.roles import Role
from documents.ingest import ingest_paths
from workspaces.models import Workspace
from workspaces.services import api_key_create, api_key_revoke, workspace_get_or_create

# High enough that 50 clients are never throttled: the load test measures serving, not the limit.
LOAD_RATE_LIMIT = "100000/min"
LOAD_WORKSPACE_NAME = "Load test"


class WorkspaceInUse(Exception):
    """The run's workspace id names a workspace the load test did not make: it is never deleted."""


@contextmanager
def load_workspace(*, workspace_id: str, paths: list[Path], keep: bool = False) -> Iterator[Workspace]:
    """A fresh workspace holding `paths`, deleted afterwards (unless `keep`) with everything the
    run added: every run starts from the same documents and leaves nothing behind."""
    existing = Workspace.objects.filter(pk=workspace_id).first()
    if existing is not None:
        if existing.name != LOAD_WORKSPACE_NAME:
            raise WorkspaceInUse(f"Workspace '{workspace_id}' exists and is not the load test's: name another one.")
        existing.delete()  # left by a run that was interrupted
    workspace = workspace_get_or_create(workspace_id=workspace_id, name=LOAD_WORKSPACE_NAME)
    report = ingest_paths(workspace=workspace, paths=paths)
    if report.failed or not report.indexed:
        raise RuntimeError(f"the sample documents were not indexed: {report.failed or 'no files'}")
    try:
        yield workspace
    finally:
        if not keep:
            Workspace.objects.filter(pk=workspace_id).delete()


@contextmanager
def load_api_key(*, workspace: Workspace) -> Iterator[str]:
    """An editor key reaching only the workspace, revoked when the run ends."""
    api_key, raw_key = api_key_create(name="load test", role=Role.EDITOR, workspace=workspace, actor="load")
    try:
        yield raw_key
    finally:
        api_key_revoke(api_key=api_key, actor="load")


@contextmanager
def local_site(*, log_dir: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """The web server on a free loopback port and the Celery workers of `manage.py serve`, sharing this process's
    database and Redis (or those `env` names); yields the server's URL and pid. Their output
    goes to `log_dir`."""
    port = _free_port()
    env = {
        **(os.environ if env is None else env),
        "REDIS_URL": settings.REDIS_URL,  # the embedded Redis this process found or started
        "RATE_LIMIT_PER_KEY": LOAD_RATE_LIMIT,
        "DJANGO_DEBUG": "false",  # as deployed: no SQL kept per request, no debug pages
    }
    log_dir.mkdir(parents=True, exist_ok=True)
    processes = []
    try:
        commands = {
            "web": web_server_command(host="127.0.0.1", port=port),
            **celery_worker_commands(loglevel="WARNING"),
        }
        for name, command in commands.items():
            with open(log_dir / f"{name}.log", "w") as log:
                processes.append(
                    subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
                )
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(base_url, processes[0])
        yield base_url, processes[0].pid
    finally:
        stop_processes(processes)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
