"""A bounded load test over HTTP against a running server.

Concurrent clients, each repeating a weighted mix of `/search`, `/chat`, `/chat/stream` and
JSON uploads (`POST /documents`) with one API key, until the time is up; requests in flight
then finish. Anything but the expected 2xx is an error, and so are timeouts, refused
connections and a stream that does not end with `done`. Every upload must then be indexed
(`completed`) by the server's worker within a bound. The server's resident memory is read
from /proc every second, so growth shows.

Only HTTP: it runs against any server, the one `manage.py load` starts or a test's.
"""

import asyncio
import json
import random
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

from evals.sample_questions import SAMPLE_QUESTIONS

# Relative weights: mostly searches, as an agent asks; one upload for every eight requests.
DEFAULT_MIX = {"/search": 3, "/chat": 2, "/chat/stream": 2, "POST /documents": 1}


@dataclass
class EndpointResult:
    latencies_ms: list[float] = field(default_factory=list)  # successful requests only
    errors: Counter = field(default_factory=Counter)  # "HTTP 503", "ReadTimeout", ...

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.error_count

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def percentile(self, percent: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[percent - 1]


@dataclass
class LoadReport:
    clients: int
    elapsed_seconds: float
    endpoints: dict[str, EndpointResult]
    rss_kib: list[tuple[float, int]]  # (seconds since start, the server's VmRSS)
    uploads: int = 0
    uploads_not_completed: dict[str, str] = field(default_factory=dict)  # id -> status or error
    error_samples: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(result.requests for result in self.endpoints.values())

    @property
    def errors(self) -> int:
        return sum(result.error_count for result in self.endpoints.values())

    @property
    def ok(self) -> bool:
        return not self.failures()

    def failures(self, *, max_memory_growth_percent: float | None = None) -> list[str]:
        """Why the run fails, if it does: errors, uploads not indexed, memory still growing."""
        failures = []
        if self.errors:
            failures.append(f"{self.errors} errors")
        if self.uploads_not_completed:
            failures.append(f"{len(self.uploads_not_completed)} uploads not indexed")
        growth = self.rss_growth_percent
        if max_memory_growth_percent is not None and growth is not None and growth > max_memory_growth_percent:
            failures.append(
                f"the server's memory grew {growth:.1f}% over the second half (more than {max_memory_growth_percent}%)"
            )
        return failures

    def rss_mib(self, which: str) -> float | None:
        """The server's memory at the `start`, half-way (`middle`), at the `end`, or its `peak`;
        None without a pid to read it from."""
        if not self.rss_kib:
            return None
        values = [kib for _, kib in self.rss_kib]
        kib = {"start": values[0], "middle": values[len(values) // 2], "end": values[-1], "peak": max(values)}
        return kib[which] / 1024

    @property
    def rss_growth_percent(self) -> float | None:
        """How much the server's memory grew over the second half of the run. The first half
        fills its caches and arenas for this many concurrent requests; after that it should not grow."""
        if not self.rss_kib:
            return None
        return (self.rss_mib("end") / self.rss_mib("middle") - 1) * 100


class _Failure(Exception):
    """An answer the load test does not accept: its kind ("HTTP 500") and what the server said."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind)
        self.detail = detail


@dataclass
class _Run:
    client: httpx2.AsyncClient
    workspace_id: str
    run_id: str
    upload_ids: list[str]
    endpoints: dict[str, EndpointResult]
    error_samples: list[str]
    uploads_made: int = 0


async def run_load(
    *,
    base_url: str,
    api_key: str,
    workspace_id: str,
    clients: int = 50,
    duration_seconds: float = 60.0,
    server_pid: int | None = None,
    mix: dict[str, int] | None = None,
    request_timeout: float = 120.0,
    index_timeout: float = 300.0,
    seed: int = 0,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> LoadReport:
    """Run `clients` concurrent clients for `duration_seconds` against `base_url`, then wait up to
    `index_timeout` seconds for every upload to be indexed. The key needs the editor role;
    `transport` replaces the network (tests)."""
    mix = mix or DEFAULT_MIX
    unknown = set(mix) - set(_REQUESTS)
    if unknown:
        raise ValueError(f"Unknown endpoints in the mix: {', '.join(sorted(unknown))}")
    async with httpx2.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {api_key}", "X-Workspace-ID": workspace_id},
        timeout=httpx2.Timeout(request_timeout, connect=10.0),
        limits=httpx2.Limits(max_connections=clients + 10, max_keepalive_connections=clients + 10),
        trust_env=False,  # straight to the server, whatever proxy the environment names
        transport=transport,
    ) as client:
        run = _Run(client, workspace_id, uuid.uuid4().hex[:8], [], {name: EndpointResult() for name in mix}, [])
        await _warm_up(run, mix, random.Random(seed))
        sampler = _RssSampler(server_pid)
        sampler.start()
        started = time.monotonic()
        deadline = started + duration_seconds
        names, weights = list(mix), list(mix.values())
        await asyncio.gather(
            *(_client(run, random.Random(seed + number), names, weights, deadline) for number in range(clients))
        )
        elapsed = time.monotonic() - started
        rss = await sampler.stop()
        not_completed = await _wait_until_indexed(run, timeout=index_timeout)
    return LoadReport(
        clients=clients,
        elapsed_seconds=elapsed,
        endpoints=run.endpoints,
        rss_kib=rss,
        uploads=len(run.upload_ids),
        uploads_not_completed=not_completed,
        error_samples=run.error_samples,
    )


async def _warm_up(run: _Run, names, rng: random.Random) -> None:
    """One request of each kind first, not counted: the server loads its models on first use."""
    for name in names:
        try:
            await _REQUESTS[name](run, rng)
        except (_Failure, httpx2.HTTPError) as exc:
            raise RuntimeError(f"warming up, {name} failed: {exc} {getattr(exc, 'detail', '')}".rstrip()) from exc


async def _client(run: _Run, rng: random.Random, names: list[str], weights: list[int], deadline: float) -> None:
    while time.monotonic() < deadline:
        name = rng.choices(names, weights)[0]
        result = run.endpoints[name]
        started = time.perf_counter()
        try:
            await _REQUESTS[name](run, rng)
        except (_Failure, httpx2.HTTPError) as exc:
            kind = str(exc) if isinstance(exc, _Failure) else type(exc).__name__
            result.errors[kind] += 1
            if len(run.error_samples) < 10:
                run.error_samples.append(f"{name}: {kind} {getattr(exc, 'detail', '') or exc}".rstrip())
        else:
            result.latencies_ms.append((time.perf_counter() - started) * 1000)


def _expect(response: httpx2.Response, status: int) -> dict:
    if response.status_code != status:
        raise _Failure(f"HTTP {response.status_code}", response.text[:300])
    return response.json()


async def _search(run: _Run, rng: random.Random) -> None:
    body = {"query": rng.choice(SAMPLE_QUESTIONS), "limit": 10, "workspace_id": run.workspace_id}
    answer = _expect(await run.client.post("/search", json=body), 200)
    if not answer.get("results"):
        raise _Failure("no results")


async def _chat(run: _Run, rng: random.Random) -> None:
    answer = _expect(await run.client.post("/chat", json={"question": rng.choice(SAMPLE_QUESTIONS)}), 200)
    if not answer.get("answer") and not answer.get("refused"):
        raise _Failure("neither an answer nor a refusal")


async def _chat_stream(run: _Run, rng: random.Random) -> None:
    body = {"question": rng.choice(SAMPLE_QUESTIONS)}
    headers = {"Accept": "text/event-stream"}
    events = []
    async with run.client.stream("POST", "/chat/stream", json=body, headers=headers) as response:
        if response.status_code != 200:
            await response.aread()
            _expect(response, 200)
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                events.append(line.removeprefix("event: "))
    if "error" in events:
        raise _Failure("error event")
    if not events or events[-1] != "done":
        raise _Failure("stream ended before done")


async def _upload(run: _Run, rng: random.Random) -> None:
    run.uploads_made += 1
    number = run.uploads_made
    body = {
        "title": f"Load note {run.run_id}-{number}",
        "source_uri": f"load/{run.run_id}/{number}.md",
        "content": _note(run.run_id, number, rng),
        "metadata": {"tags": ["load-test"]},
    }
    document = _expect(await run.client.post("/documents", json=body), 202)
    run.upload_ids.append(str(document["id"]))


def _note(run_id: str, number: int, rng: random.Random) -> str:
    """A small Markdown document of two sections, unique to this upload."""
    question = rng.choice(SAMPLE_QUESTIONS)
    return (
        f"# Load note {run_id}-{number}\n\n"
        f"## Question\n\nA reader asked: {question} The answer is in the runbook, step {number}.\n\n"
        f"## Steps\n\n1. Open the application in Argo CD.\n2. Sync wave {number % 7} applies first.\n"
        f"3. Check the health status and the sync status of run {run_id}.\n"
    )


_REQUESTS = {"/search": _search, "/chat": _chat, "/chat/stream": _chat_stream, "POST /documents": _upload}


async def _wait_until_indexed(run: _Run, *, timeout: float) -> dict[str, str]:
    """The uploads not `completed` within `timeout` seconds (failed, or still pending), by id."""
    waiting = {document_id: "pending" for document_id in run.upload_ids}
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for document_id in list(waiting):
            try:
                response = await run.client.get(f"/documents/{document_id}")
                status = _expect(response, 200)["status"]
            except (_Failure, httpx2.HTTPError) as exc:
                status = str(exc) or type(exc).__name__
            if status == "completed":
                del waiting[document_id]
            elif status == "failed":
                waiting[document_id] = "failed"
        if set(waiting.values()) <= {"failed"}:
            break
        await asyncio.sleep(1.0)
    return waiting


class _RssSampler:
    """VmRSS of one process from /proc, once a second, while the load runs."""

    def __init__(self, pid: int | None):
        self.status_file = Path(f"/proc/{pid}/status") if pid else None
        self.samples: list[tuple[float, int]] = []
        self._task = None

    def start(self) -> None:
        if self.status_file:
            self._started = time.monotonic()
            self._read()
            self._task = asyncio.ensure_future(self._every_second())

    async def stop(self) -> list[tuple[float, int]]:
        if self._task:
            self._task.cancel()
            self._read()
        return self.samples

    async def _every_second(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self._read()

    def _read(self) -> None:
        for line in self.status_file.read_text().splitlines():
            if line.startswith("VmRSS:"):
                self.samples.append((time.monotonic() - self._started, int(line.split()[1])))
                return


def report_lines(report: LoadReport) -> list[str]:
    """The report as a table for a terminal: per endpoint, then the totals and the memory."""
    lines = [f"{'endpoint':<18}{'requests':>9}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}"]
    for name, result in report.endpoints.items():
        lines.append(
            f"{name:<18}{result.requests:>9}{result.error_count:>8}"
            f"{result.percentile(50):>10.0f}{result.percentile(95):>10.0f}"
        )
    lines.append(
        f"{report.requests} requests in {report.elapsed_seconds:.1f} s from {report.clients} clients "
        f"({report.requests / report.elapsed_seconds:.1f}/s), {report.errors} errors"
    )
    lines.append(
        f"uploads: {report.uploads}, indexed {report.uploads - len(report.uploads_not_completed)}"
        + (f"; not completed: {json.dumps(report.uploads_not_completed)}" if report.uploads_not_completed else "")
    )
    if report.rss_kib:
        lines.append(
            "server memory (VmRSS): start {:.0f} MiB, half-way {:.0f} MiB, end {:.0f} MiB, peak {:.0f} MiB".format(
                *(report.rss_mib(which) for which in ("start", "middle", "end", "peak"))
            )
            + f" ({report.rss_growth_percent:+.1f}% over the second half)"
        )
    lines += [f"error: {sample}" for sample in report.error_samples]
    return lines
