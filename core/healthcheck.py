"""Container health checks, standard library only (the image has no curl): exit 0 when healthy.

    python -m core.healthcheck web [URL]     # /health answers 200 (default http://127.0.0.1:8000/health)
    python -m core.healthcheck beat FILE     # beat wrote its schedule file within the last 10 minutes

Django answers 400 to a Host header that is not in ALLOWED_HOSTS, so the web check names the
first of DJANGO_ALLOWED_HOSTS as its host (production has no default for it). /health is exempt
from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), so plain HTTP inside the container is enough.
Celery workers are checked with `celery -A ragsite inspect ping` instead (see docker-compose.yml).
"""

import glob
import os
import sys
import time
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/health"
# Beat saves its schedule every 3 minutes (Celery's sync_every) and after each task it sends.
BEAT_STALE_SECONDS = 600


def host_header(allowed_hosts: str) -> str:
    """A host Django accepts: the first of DJANGO_ALLOWED_HOSTS ("*" and ".domain" made concrete)."""
    first = next((host.strip() for host in allowed_hosts.split(",") if host.strip()), "")
    if not first or first == "*":
        return "localhost"
    return first.lstrip(".")


def web_is_healthy(url: str = DEFAULT_URL, *, allowed_hosts: str | None = None, timeout: float = 5.0) -> bool:
    hosts = os.environ.get("DJANGO_ALLOWED_HOSTS", "") if allowed_hosts is None else allowed_hosts
    request = urllib.request.Request(url, headers={"Host": host_header(hosts)})  # noqa: S310 (our own URL)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status == 200
    except OSError:  # refused, timed out, or an HTTP error status (503 while not ready)
        return False


def beat_is_healthy(schedule_file: str, *, now: float | None = None) -> bool:
    """The schedule file (or the files dbm made of it: .db, .dat...) was written recently."""
    paths = glob.glob(glob.escape(schedule_file) + "*")
    if not paths:
        return False
    newest = max(os.path.getmtime(path) for path in paths)
    return (time.time() if now is None else now) - newest < BEAT_STALE_SECONDS


def main(argv: list[str]) -> int:
    if len(argv) >= 1 and argv[0] == "web":
        return 0 if web_is_healthy(argv[1] if len(argv) > 1 else DEFAULT_URL) else 1
    if len(argv) == 2 and argv[0] == "beat":
        return 0 if beat_is_healthy(argv[1]) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
