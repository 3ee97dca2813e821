import os
import signal
import subprocess
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from core.processes import celery_beat_command, celery_worker_commands, stop_processes, web_server_command


class Command(BaseCommand):
    help = "Run the web server (uvicorn, ASGI), a Celery worker per lane and Celery beat until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-worker", action="store_true", help="Only the web server.")

    def handle(self, *args, host, port, no_worker, **options):
        # Children inherit the embedded services this process started (see
        # core/embedded.py) through these variables, so all share one database and broker.
        env = {**os.environ, "REDIS_URL": settings.REDIS_URL}
        commands = {"web": web_server_command(host=host, port=port)}
        if not no_worker:
            commands.update(celery_worker_commands())
            commands["beat"] = celery_beat_command()
        processes = {name: subprocess.Popen(command, env=env) for name, command in commands.items()}  # noqa: S603
        self.stdout.write(
            f"\nragsite is starting on http://{host}:{port}/\n"
            f"  web app    http://{host}:{port}/app/{_local_sign_in()}\n"
            f"  API docs   http://{host}:{port}/api/docs/\n"
            f"  admin      http://{host}:{port}/admin/\n"
            f"  health     http://{host}:{port}/health\n"
            "Press Ctrl-C to stop.\n"
        )
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while True:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with code {process.returncode}; stopping.")
                        raise KeyboardInterrupt
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop_processes(list(processes.values()))


def _local_sign_in() -> str:
    """The sign-in `bootstrap_local` created, when it still works."""
    user = get_user_model().objects.filter(username="admin", is_superuser=True).first()
    return "   (sign in as admin / admin)" if user is not None and user.check_password("admin") else ""


def _interrupt(signum, frame):
    raise KeyboardInterrupt
