"""Time to the first streamed word of an answer, in a real browser, against a running server.

The baseline, in the same run, is the same chat page's stream read by a plain HTTP client:
what the browser adds (its fetch, the stream reader, the page's rendering) is the ratio.
Needs a server (`make run`), a person who may ask in the workspace, and Debian's Chromium;
the API variant can start a site of its own (`sample_site`).
"""

import http.cookiejar
import json
import re
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from documents.indexing import wake_lane
from documents.models import IndexLane, PendingSentences
from evals.load_target import load_api_key, load_workspace, local_site

CHROMIUM = "/usr/bin/chromium"
SAMPLE_DOCUMENTS = Path(settings.BASE_DIR) / "samples" / "argocd"
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class FirstTokenBenchmark:
    questions: int
    browser_ms: list[float]
    http_ms: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.browser_ms) / statistics.median(self.http_ms)


def bench_first_token(
    *, base_url: str, workspace_id: str, username: str, password: str, questions: list[str]
) -> FirstTokenBenchmark:
    http = _SignedIn(base_url, username, password)
    http_ms = [_http_first_token(http, workspace_id, question) for question in questions]
    browser_ms = _browser_first_tokens(base_url, workspace_id, username, password, questions, http)
    return FirstTokenBenchmark(len(questions), browser_ms, http_ms)


class _SignedIn:
    """A person's session with the server, through the standard library's HTTP client."""

    def __init__(self, base_url: str, username: str, password: str):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"Not an http(s) address: {base_url}")
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)
        form = self.opener.open(f"{self.base_url}/app/login/").read().decode()
        token = _CSRF_FIELD.search(form).group(1)
        answer = self.post("/app/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token})
        if answer.status != 302:
            raise RuntimeError(f"Signing in as {username} failed (HTTP {answer.status}).")

    def post(self, path: str, data: dict, **headers: str):
        csrf = next((cookie.value for cookie in self.cookies if cookie.name == "csrftoken"), "")
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            f"{self.base_url}{path}",
            data=urllib.parse.urlencode(data).encode(),
            headers={"X-CSRFToken": csrf, **headers},
            method="POST",
        )
        try:
            return self.opener.open(request, timeout=120)
        except urllib.error.HTTPError as answer:  # redirects and errors: the caller reads the status
            return answer


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _http_first_token(client: _SignedIn, workspace_id: str, question: str) -> float:
    started = time.perf_counter()
    first, session_id, event = None, None, ""
    response = client.post(f"/app/w/{workspace_id}/chat/ask/", {"question": question}, Accept="text/event-stream")
    if response.status != 200:
        raise RuntimeError(f"Asking answered HTTP {response.status}.")
    with response:
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "meta":
                session_id = json.loads(line[6:])["session_id"]
            elif line.startswith("data: ") and event == "token" and first is None:
                first = (time.perf_counter() - started) * 1000
    _delete_session(client, workspace_id, session_id)
    if first is None:
        raise RuntimeError("The stream ended without a token.")
    return first


def _browser_first_tokens(
    base_url: str, workspace_id: str, username: str, password: str, questions: list[str], http: _SignedIn
) -> list[float]:
    from playwright.sync_api import sync_playwright  # a development dependency, like this benchmark

    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base_url}/app/login/")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/app/.*"))
        for question in questions:
            page.goto(f"{base_url}/app/w/{workspace_id}/chat/")
            page.get_by_label("Your question").fill(question)
            page.get_by_role("button", name="Send").click()
            page.locator(".message.answer .rating").wait_for(timeout=60_000)
            timings.append(
                page.evaluate(
                    "performance.getEntriesByName('chat:first-token')[0].startTime"
                    " - performance.getEntriesByName('chat:sent')[0].startTime"
                )
            )
            _delete_session(http, workspace_id, page.url.rstrip("/").rsplit("/", 1)[-1])
        browser.close()
    return timings


def _delete_session(client: _SignedIn, workspace_id: str, session_id: str | None) -> None:
    """The benchmark's conversations are not left in the person's list."""
    if session_id:
        client.post(f"/app/w/{workspace_id}/chat/{session_id}/delete/", {}).close()


@dataclass
class ApiFirstTokenBenchmark:
    """The same questions streamed through /v1/chat/completions (the `openai` client) and /chat/stream."""

    questions: int
    openai_ms: list[float]
    chat_stream_ms: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.openai_ms) / statistics.median(self.chat_stream_ms)


def bench_api_first_token(*, base_url: str, workspace_id: str, api_key: str, questions: list[str]):
    from openai import OpenAI

    client = OpenAI(base_url=f"{base_url.rstrip('/')}/v1", api_key=api_key, max_retries=0)
    openai_ms, chat_stream_ms = [], []
    for question in questions:  # interleaved, so both see the same machine
        chat_stream_ms.append(_chat_stream_first_token(base_url, workspace_id, api_key, question))
        started = time.perf_counter()
        stream = client.chat.completions.create(
            model=workspace_id, messages=[{"role": "user", "content": question}], stream=True
        )
        first = None
        for chunk in stream:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = (time.perf_counter() - started) * 1000
        openai_ms.append(first)
    return ApiFirstTokenBenchmark(len(questions), openai_ms, chat_stream_ms)


def _chat_stream_first_token(base_url: str, workspace_id: str, api_key: str, question: str) -> float:
    started = time.perf_counter()
    request = urllib.request.Request(  # noqa: S310 (the benchmark's own server)
        f"{base_url.rstrip('/')}/chat/stream",
        data=json.dumps({"question": question}).encode(),
        headers={
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
            "X-Workspace-ID": workspace_id,
        },
        method="POST",
    )
    first, event = None, ""
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "token" and first is None:
                first = (time.perf_counter() - started) * 1000
    return first


@contextmanager
def sample_site(*, workspace_id: str = "bench-first-token", timeout: float = 300.0) -> Iterator[tuple[str, str, str]]:
    """(base URL, workspace id, API key): the sample documents in a workspace of the run's own,
    their sentence vectors made by the workers of `manage.py serve`, started for the run on a
    free port; everything is removed afterwards."""
    with (
        load_workspace(workspace_id=workspace_id, paths=[SAMPLE_DOCUMENTS]) as workspace,
        load_api_key(workspace=workspace) as api_key,
        local_site(log_dir=Path(settings.DATA_DIR) / "bench-first-token") as (base_url, _pid),
    ):
        wake_lane(IndexLane.BULK, always=True)  # `ingest` leaves the sentences to the workers
        waiting = PendingSentences.objects.filter(chunk__workspace=workspace)
        deadline = time.monotonic() + timeout
        while waiting.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sample's sentence vectors were not made within {timeout:.0f} s")
            time.sleep(0.5)
        yield base_url, workspace_id, api_key
