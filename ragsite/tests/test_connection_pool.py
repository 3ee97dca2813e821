"""Many more concurrent requests than the ASGI server's connection pool holds: every one is served,
and the server never holds more database connections than the pool's size."""

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from core.roles import Role
from documents.indexing import documents_index
from documents.services import document_upsert
from testing.fixtures import RUNBOOK
from testing.processes import AppServer
from workspaces.tests.factories import ApiKeyFactory, WorkspaceFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

POOL_SIZE = 3
REQUESTS = 60
APPLICATION_NAME = "ragsite-pool-test"


def server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APPLICATION_NAME])
        return cursor.fetchone()[0]


def test_concurrent_requests_share_a_bounded_pool():
    workspace = WorkspaceFactory(id="pooled")
    documents_index(document_ids=[document_upsert(workspace=workspace, content=RUNBOOK).document.pk])
    key = ApiKeyFactory(role=Role.VIEWER)
    # libpq names the server's connections, so they can be told from this test's own.
    server = AppServer(DATABASE_POOL_MAX_SIZE=str(POOL_SIZE), PGAPPNAME=APPLICATION_NAME)
    peak, done = [0], threading.Event()

    def watch():
        try:
            while not done.is_set():
                peak[0] = max(peak[0], server_connections())
        finally:
            connection.close()  # this thread's own

    def search(number: int) -> int:
        request = urllib.request.Request(  # noqa: S310
            f"{server.base_url}/search",
            data=json.dumps({"query": f"roll back a deployment {number}"}).encode(),
            headers={
                "Authorization": f"Bearer {key.raw_key}",
                "Content-Type": "application/json",
                "X-Workspace-ID": "pooled",
            },
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=30) as pool:
            statuses = list(pool.map(search, range(REQUESTS)))
    finally:
        done.set()
        watcher.join()
        server.stop()

    assert statuses == [200] * REQUESTS
    assert 1 <= peak[0] <= POOL_SIZE
