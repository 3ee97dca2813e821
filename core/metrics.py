"""The product's metrics, every family defined here, and /metrics.

Dashboards and alert rules (`monitoring/`) use these names; a test checks that every
`rag_*` name they use is one this module exports. Apps record through the small
functions below (`observe_stage`, `record_refusal`, ...), never by touching a metric
object, so the label values stay few and known.

/metrics is public only where settings say so: with METRICS_TOKEN set, a scraper sends
`Authorization: Bearer <token>`; without a token, /metrics is served only when
METRICS_PUBLIC is on (local use), and production turns that off: metrics name
workspaces' activity, which is not for everyone.

Gauges of stored state (documents by status, stuck documents, export jobs, queue depth)
are computed when Prometheus scrapes, by `StateCollector`, from sources the apps that own
the rows register (core imports no app), cached for METRICS_STATE_CACHE_SECONDS.
"""

import hmac
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from core.errors import error_response

logger = logging.getLogger(__name__)

STAGES = ("embedding", "vector", "keyword", "fusion", "rerank", "generation", "total", "first_token")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
TASK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0)
BATCH_SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)

STAGE_DURATION = Histogram(
    "rag_stage_duration_seconds",
    "Time per stage of retrieval and answering (first_token: from the question to the first generated text).",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
EMBEDDING_BATCH_SIZE = Histogram(
    "rag_embedding_batch_size",
    "Texts per call to an embedder's embed_documents.",
    ["model"],
    buckets=BATCH_SIZE_BUCKETS,
)
EMBEDDING_BATCH_DURATION = Histogram(
    "rag_embedding_batch_duration_seconds",
    "Time per call to an embedder's embed_documents.",
    ["model"],
    buckets=LATENCY_BUCKETS,
)
API_REQUESTS = Counter(
    "rag_api_requests",
    "Requests answered, by URL pattern name (not the raw path) and status code.",
    ["endpoint", "status"],
)
REFUSALS = Counter("rag_refusals", "Questions refused, by reason.", ["reason"])
PROVIDER_ERRORS = Counter(
    "rag_provider_errors",
    "Errors raised by model providers, by component:provider and kind.",
    ["provider", "kind"],
)
TOKENS = Counter("rag_tokens", "Model tokens, in (prompt) and out (completion).", ["direction", "model"])
COST = Counter("rag_cost_usd", "Estimated model cost in US dollars (MODEL_PRICES).", ["model"])
CHUNKS_INGESTED = Counter("rag_chunks_ingested", "Chunks stored by ingestion.")
TASK_RUNS = Counter(
    "rag_task_runs", "Celery task runs, by outcome (success, failure, retry).", ["task", "queue", "outcome"]
)
TASK_DURATION = Histogram(
    "rag_task_duration_seconds", "Celery task run time, by task and queue.", ["task", "queue"], buckets=TASK_BUCKETS
)

# Gauges computed at scrape time by StateCollector: name -> (help, label names).
STATE_GAUGES = {
    "rag_documents": ("Documents by status.", ["status"]),
    "rag_documents_stuck": ("Documents pending or processing past DOCUMENT_STUCK_SECONDS.", []),
    "rag_export_jobs": ("Export jobs by status.", ["status"]),
    "rag_queue_depth": ("Messages waiting in each Celery queue (Redis list length).", ["queue"]),
}

# The queues the workers take, and which /metrics reports the depth of.
QUEUES = ("interactive", "bulk", "exports", "maintenance")


# --- Recording ---------------------------------------------------------------------------


def observe_stage(stage: str, seconds: float) -> None:
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; one of {STAGES}")
    STAGE_DURATION.labels(stage=stage).observe(max(0.0, seconds))


def observe_stages_ms(timings_ms: dict[str, float | None], *, names: dict[str, str] | None = None) -> None:
    """Milliseconds per stage, as the pipeline and chat record them; `names` maps their keys to
    stage labels; keys not in it (or not a stage) and None values are left out."""
    for key, milliseconds in timings_ms.items():
        stage = (names or {}).get(key, key)
        if stage in STAGES and milliseconds is not None:
            observe_stage(stage, milliseconds / 1000)


def record_embedding_batch(*, model: str, size: int, seconds: float) -> None:
    EMBEDDING_BATCH_SIZE.labels(model=model).observe(size)
    EMBEDDING_BATCH_DURATION.labels(model=model).observe(max(0.0, seconds))


def record_api_request(*, endpoint: str, status: int) -> None:
    API_REQUESTS.labels(endpoint=endpoint, status=str(status)).inc()


def record_refusal(reason: str) -> None:
    REFUSALS.labels(reason=reason).inc()


def record_provider_error(*, provider: str, exc: BaseException) -> None:
    """Count a provider's error once, however many layers see it go by (each marks it counted)."""
    if getattr(exc, "_rag_metrics_counted", False):
        return
    try:
        exc._rag_metrics_counted = True
    except AttributeError:  # an exception type without a __dict__
        pass
    PROVIDER_ERRORS.labels(provider=provider, kind=getattr(exc, "kind", "") or "other").inc()


def record_usage(*, model: str, tokens_in: int, tokens_out: int, cost_usd: Decimal | float) -> None:
    model = model or "none"
    if tokens_in:
        TOKENS.labels(direction="in", model=model).inc(tokens_in)
    if tokens_out:
        TOKENS.labels(direction="out", model=model).inc(tokens_out)
    if cost_usd:
        COST.labels(model=model).inc(float(cost_usd))


def record_chunks_ingested(n: int) -> None:
    """Call with the number of chunks an ingestion stored (documents' services)."""
    if n > 0:
        CHUNKS_INGESTED.inc(n)


def record_task_run(*, task: str, queue: str, outcome: str, seconds: float | None = None) -> None:
    TASK_RUNS.labels(task=task, queue=queue, outcome=outcome).inc()
    if seconds is not None:
        TASK_DURATION.labels(task=task, queue=queue).observe(max(0.0, seconds))


# --- Gauges of stored state, at scrape time -----------------------------------------------

StateSource = Callable[[], dict[tuple[str, ...], float]]


class StateCollector:
    """Gauges read when Prometheus scrapes: each source answers {label values: value}.

    Sources run cheap indexed counts; the answer is cached for METRICS_STATE_CACHE_SECONDS
    so several scrapers (or a refreshing dashboard) cost one round of queries. A source
    that fails (database or Redis down) leaves its gauge out of the scrape and the rest in.
    """

    def __init__(self):
        self._sources: dict[str, StateSource] = {"rag_queue_depth": lambda: queue_depths()}
        self._lock = threading.Lock()
        self._cached: tuple[float, list[GaugeMetricFamily]] = (float("-inf"), [])

    def register(self, name: str, source: StateSource) -> None:
        if name not in STATE_GAUGES:
            raise ValueError(f"{name} is not one of {sorted(STATE_GAUGES)}")
        self._sources[name] = source
        self.clear()

    def clear(self) -> None:
        self._cached = (float("-inf"), [])

    def describe(self) -> Iterable[GaugeMetricFamily]:
        # Registering calls describe(), not collect(): no query runs at import.
        for name, (help_text, labels) in STATE_GAUGES.items():
            yield GaugeMetricFamily(name, help_text, labels=labels)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        with self._lock:
            at, families = self._cached
            if time.monotonic() - at >= settings.METRICS_STATE_CACHE_SECONDS:
                families = list(self._read())
                self._cached = (time.monotonic(), families)
        return list(families)

    def _read(self) -> Iterable[GaugeMetricFamily]:
        for name, source in self._sources.items():
            help_text, labels = STATE_GAUGES[name]
            try:
                values = source()
            except Exception as exc:  # noqa: BLE001  (a scrape must not fail for one source)
                logger.warning("metrics: %s could not be read: %s", name, exc)
                continue
            family = GaugeMetricFamily(name, help_text, labels=labels)
            for label_values, value in sorted(values.items()):
                family.add_metric(list(label_values), value)
            yield family


STATE = StateCollector()
REGISTRY.register(STATE)


def register_state_source(name: str, source: StateSource) -> None:
    """An app's source for one of STATE_GAUGES (see StateCollector)."""
    STATE.register(name, source)


def monitored_queues() -> list[str]:
    """The named queues, the configured ones and the default queue."""
    from celery import current_app

    names = list(QUEUES)
    for queue in current_app.conf.task_queues or ():
        names.append(getattr(queue, "name", queue))
    names.append(current_app.conf.task_default_queue)
    return list(dict.fromkeys(names))


# kombu's Redis transport keeps a queue's messages of priority > 0 in lists of their own.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


def queue_depths() -> dict[tuple[str, ...], float]:
    """LLEN of each queue's Redis lists; raises when Redis cannot be reached (the collector
    then leaves the gauge out), within half a second."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        queues = monitored_queues()
        pipeline = client.pipeline(transaction=False)
        for queue in queues:
            pipeline.llen(queue)
            for step in _PRIORITY_STEPS:
                pipeline.llen(f"{queue}{_PRIORITY_SEPARATOR}{step}")
        lengths = pipeline.execute()
    finally:
        client.close()
    per_queue = 1 + len(_PRIORITY_STEPS)
    return {(queue,): float(sum(lengths[i * per_queue : (i + 1) * per_queue])) for i, queue in enumerate(queues)}


# --- Exposition -----------------------------------------------------------------------------


def is_multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def scrape_registry(*, with_state: bool = True) -> CollectorRegistry:
    """What a scrape reads: this process's registry, or, in prometheus_client's multiprocess
    mode (PROMETHEUS_MULTIPROC_DIR), every process's files plus the state gauges."""
    if not is_multiprocess():
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    if with_state:
        registry.register(STATE)
    return registry


def metrics_view(request):
    token = settings.METRICS_TOKEN
    if token:
        presented = request.headers.get("Authorization", "")
        if not hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
            response = error_response(
                request, status=401, code="unauthenticated", message="Send the metrics token as a Bearer token."
            )
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    elif not settings.METRICS_PUBLIC:
        return error_response(request, status=404, code="not_found", message="Not found.")
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)


class ApiRequestMetricsMiddleware:
    """rag_api_requests_total by the URL pattern's name, so ids in paths do not become labels.

    Outside the error middleware, so it counts the status the caller got.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        record_api_request(endpoint=endpoint_name(request), status=response.status_code)
        return response


def endpoint_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name:
        return match.view_name
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    return "unmatched"
