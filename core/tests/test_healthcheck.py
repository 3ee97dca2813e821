"""The container health checks: /health with a Host Django accepts, and beat's schedule file."""

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.healthcheck import BEAT_STALE_SECONDS, beat_is_healthy, host_header, main, web_is_healthy


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        ("rag.example.com,web", "rag.example.com"),
        (" .example.com", "example.com"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_host_header_is_one_django_allows(allowed, host):
    assert host_header(allowed) == host


@pytest.fixture
def server():
    """A stand-in for /health: answers `status` and remembers the Host header it was sent."""
    state = {"status": 200, "hosts": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["hosts"].append(self.headers["Host"])
            self.send_response(state["status"])
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/health"
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_web_is_healthy_only_on_200(server):
    assert web_is_healthy(server["url"], allowed_hosts="rag.example.com,web")
    assert server["hosts"] == ["rag.example.com"]
    server["status"] = 503
    assert not web_is_healthy(server["url"], allowed_hosts="rag.example.com")


def test_web_is_unhealthy_when_nothing_listens(server):
    url = server["url"]
    assert not web_is_healthy(url.replace("/health", "/missing").replace("127.0.0.1", "127.0.0.2"), timeout=1)


def test_beat_is_healthy_while_its_schedule_file_is_fresh(tmp_path):
    schedule = tmp_path / "celerybeat-schedule"
    assert not beat_is_healthy(str(schedule))
    (tmp_path / "celerybeat-schedule.db").write_bytes(b"")  # dbm may add a suffix
    assert beat_is_healthy(str(schedule))
    old = time.time() - BEAT_STALE_SECONDS - 1
    os.utime(tmp_path / "celerybeat-schedule.db", (old, old))
    assert not beat_is_healthy(str(schedule))


def test_main_exit_codes(server, tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "rag.example.com")
    assert main(["web", server["url"]]) == 0
    assert main(["beat", str(tmp_path / "none")]) == 1
    assert main([]) == 2
