"""The site's own processes as command lines: the ASGI web server, a Celery worker and beat.

`manage.py serve` runs them for people, `manage.py load` to measure them; both start them
the same way, so what is measured is what runs.
"""

import subprocess
import sys
import time
import urllib.request

from django.conf import settings


def web_server_command(*, host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "ragsite.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--no-access-log",
        "--lifespan",
        "off",
        "--timeout-graceful-shutdown",
        "5",
    ]


def celery_worker_commands(*, loglevel: str = "INFO") -> dict[str, list[str]]:
    """A worker per lane, each taking one task at a time, so no queue waits behind another: the
    interactive lane's single documents, the bulk lane's large loads (at a lower CPU priority, so
    on a small machine the interactive worker gets the cores first), and exports with the sweeps."""
    queues = settings.TASK_QUEUES
    lanes = {
        "worker-interactive": ([queues["interactive"]], []),
        "worker-bulk": ([queues["bulk"]], ["nice", "-n", "10"]),
        "worker-background": ([queues["exports"], queues["maintenance"]], []),
    }
    return {
        name: [
            *prefix,
            *_celery(),
            "worker",
            "--loglevel",
            loglevel,
            "--concurrency",
            "1",
            "--without-mingle",
            "-Q",
            ",".join(names),
            "-n",
            f"{name}@%h",
        ]
        for name, (names, prefix) in lanes.items()
    }


def celery_beat_command() -> list[str]:
    return [*_celery(), "beat", "--loglevel", "INFO", "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME]


def _celery() -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "ragsite"]


def wait_until_healthy(base_url: str, process: subprocess.Popen, *, timeout: float = 120.0) -> None:
    """Until `base_url`/health answers 200; RuntimeError if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=5) as response:  # noqa: S310 (our own URL)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the web server did not become healthy within {timeout:.0f} s")


def stop_processes(processes: list[subprocess.Popen], *, timeout: float = 15.0) -> None:
    """Terminate every process, then kill any still running after `timeout`."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
