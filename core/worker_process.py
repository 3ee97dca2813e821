"""What a Celery worker (and beat) process sets up for itself: JSON logs and its metrics port.

Logs: connecting `setup_logging` tells Celery to leave logging as Django configured it
(settings.LOGGING: one JSON object per line, with the request id and context fields);
the worker's `--loglevel` still sets the root level.

Metrics: with WORKER_METRICS_PORT set, the worker's main process serves the task metrics
(core.metrics: rag_task_runs_total, rag_task_duration_seconds, and whatever its tasks
record) on that port. Tasks run in prefork children, each with its own memory, so the
worker uses prometheus_client's multiprocess mode: every process writes its values to
files in PROMETHEUS_MULTIPROC_DIR and the main process serves their sum. The mode is
chosen when prometheus_client is first imported, so `prepare_multiprocess_dir` runs
at the top of ragsite/celery.py, before Django (and django-prometheus) loads. The
folder is emptied at start (counters start from zero with the worker, as Prometheus
expects); one folder per worker, never shared with a web server.

Nothing here imports prometheus_client at module level, for that reason.
"""

import logging
import os
import sys
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)


def is_worker_command(argv: list[str]) -> bool:
    """`celery ... worker ...` or `python -m celery ... worker ...` (argv[0] is then celery/__main__.py)."""
    program = Path(argv[0]) if argv else Path()
    return "celery" in (program.name, program.parent.name) and "worker" in argv[1:]


def metrics_port(environ=os.environ) -> int:
    try:
        return int(environ.get("WORKER_METRICS_PORT", "") or 0)
    except ValueError:
        return 0  # the settings' own reading reports the bad value


def prepare_multiprocess_dir(argv: list[str] | None = None, environ=os.environ) -> str | None:
    """In a worker that serves metrics, PROMETHEUS_MULTIPROC_DIR (a new temporary folder when
    unset), emptied of an earlier run's files. The folder, or None when not a metrics worker."""
    argv = sys.argv if argv is None else argv
    if not is_worker_command(argv) or not metrics_port(environ):
        return None
    if "prometheus_client" in sys.modules and not environ.get("PROMETHEUS_MULTIPROC_DIR"):
        print(
            "WORKER_METRICS_PORT: prometheus_client was imported before its multiprocess mode could be chosen; "
            "the pool's processes' metrics will not be served",
            file=sys.stderr,
            flush=True,
        )
        return None
    directory = environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="ragsite-worker-metrics-")
    Path(directory).mkdir(parents=True, exist_ok=True)
    for stale in Path(directory).glob("*.db"):
        stale.unlink()
    environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    return directory


def keep_django_logging(loglevel=None, **kwargs) -> None:
    """`setup_logging` receiver: Celery then configures no logging of its own."""
    if loglevel:
        logging.getLogger().setLevel(loglevel)


def serve_metrics(**kwargs) -> None:
    """`worker_init` receiver: the metrics server, in the worker's main process, before the pool forks."""
    from django.conf import settings
    from prometheus_client import start_http_server

    from core.metrics import is_multiprocess, scrape_registry

    port = settings.WORKER_METRICS_PORT
    if not port:
        return
    if not is_multiprocess():
        logger.warning("worker metrics without PROMETHEUS_MULTIPROC_DIR: only the main process's are served")
    start_http_server(port, registry=scrape_registry(with_state=False))
    logger.info("worker metrics on port %d", port)


def process_exited(pid=None, **kwargs) -> None:
    """`worker_process_shutdown` receiver: a pool process's live values leave the sum (its counts stay)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())
