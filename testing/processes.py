"""Real processes for tests: the app under uvicorn, sharing the test database."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url_for_current_connection() -> str:
    """The test database as a URL, so another process writes where the test reads."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{db['NAME']}?host={host}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def process_environment(**overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ragsite.settings.test",
        "DATABASE_URL": database_url_for_current_connection(),
        "REDIS_URL": settings.REDIS_URL,
        **overrides,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppServer:
    """`python -m uvicorn ragsite.asgi:application` on a free loopback port, until stopped."""

    def __init__(self, **env_overrides: str):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "uvicorn",
                "ragsite.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "off",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=process_environment(**env_overrides),
        )
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("the app server did not become healthy")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_celery_worker(
    *queues: str,
    nice: int = 0,
    pool: str = "solo",
    concurrency: int | None = None,
    loglevel: str = "WARNING",
    stderr=None,
    **env_overrides: str,
) -> subprocess.Popen:
    """A real Celery worker on the test queues (`queues`: names of settings.TASK_QUEUES, all by
    default), at CPU priority `nice` as `manage.py serve` runs the bulk lane's. The solo pool runs
    tasks in this very process, so killing it kills a task midway; `pool="prefork"` forks
    `concurrency` children. `stderr` (a file) receives its log lines."""
    names = queues or tuple(settings.TASK_QUEUES)
    return subprocess.Popen(  # noqa: S603
        [
            *(["nice", "-n", str(nice)] if nice else []),
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ragsite",
            "worker",
            "--pool",
            pool,
            *(["--concurrency", str(concurrency)] if concurrency else []),
            "--loglevel",
            loglevel,
            "--without-mingle",
            "--without-gossip",
            "-Q",
            ",".join(settings.TASK_QUEUES[name] for name in names),
        ],
        cwd=ROOT,
        env=process_environment(**env_overrides),
        stderr=stderr,
    )


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for(condition, *, timeout: float, interval: float = 0.2) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; whether it holds in the end."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(interval)
    return bool(condition())
