"""A real HTTP access-control service on loopback, for gateway-mode tests.

It answers `GET /access/<workspace_id>` according to what the test set for that
workspace: "allow" (200), "deny" (403), "error" (500), "redirect" (302 to an
allowing URL), "garbage" (bytes that are not HTTP) or "hang" (no answer until
the server stops), for everyone or for one user. Unlisted workspaces are denied. Every request is recorded
with its headers, so tests can check what was forwarded and what was cached.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from dataclasses import dataclass

BEHAVIOURS = {"allow", "deny", "error", "redirect", "garbage", "hang"}


@dataclass(frozen=True)
class AccessRequest:
    workspace_id: str
    headers: dict[str, str]


class AccessControlServer:
    def __init__(self) -> None:
        self.behaviours: dict[tuple[str | None, str], str] = {}
        self.requests: list[AccessRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> AccessControlServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url_template(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/access/{{workspace_id}}"

    def set(self, workspace_id: str, behaviour: str, *, user_id: str | None = None) -> None:
        """How to answer about a workspace: for everyone, or only for one user (which wins)."""
        assert behaviour in BEHAVIOURS, behaviour
        self.behaviours[(user_id, workspace_id)] = behaviour

    def requests_for(self, workspace_id: str) -> list[AccessRequest]:
        with self._lock:
            return [request for request in self.requests if request.workspace_id == workspace_id]

    def _record(self, request: AccessRequest) -> str:
        with self._lock:
            self.requests.append(request)
        user_id = request.headers.get("X-User-Id")
        return self.behaviours.get((user_id, request.workspace_id)) or self.behaviours.get(
            (None, request.workspace_id), "deny"
        )


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    state: AccessControlServer

    def handle_error(self, request, client_address):
        return None  # clients giving up on a hang is the point of some tests


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):
        return None

    def do_GET(self):
        prefix = "/access/"
        if not self.path.startswith(prefix):
            self._answer(404)
            return
        workspace_id = urllib.parse.unquote(self.path[len(prefix) :])
        state = self.server.state
        behaviour = state._record(AccessRequest(workspace_id, dict(self.headers.items())))
        if behaviour == "allow":
            self._answer(200, b'{"allowed": true}')
        elif behaviour == "deny":
            self._answer(403, b'{"allowed": false}')
        elif behaviour == "error":
            self._answer(500, b"internal error")
        elif behaviour == "redirect":
            self.send_response(302)
            self.send_header("Location", "/access/allowed-elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif behaviour == "garbage":
            self.wfile.write(b"\x00\xffthis is not HTTP at all\r\n\r\n")
            self.close_connection = True
        elif behaviour == "hang":
            state._stopping.wait()

    def _answer(self, status: int, body: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
