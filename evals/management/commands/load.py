import asyncio
import logging
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evals.load import report_lines, run_load
from evals.load_target import LOAD_RATE_LIMIT, WorkspaceInUse, load_api_key, load_workspace, local_site
from providers.errors import ProviderNotAvailable


class Command(BaseCommand):
    help = (
        "Load test: concurrent clients mixing /search, /chat, /chat/stream and uploads against the ASGI "
        "server for a fixed time; prints requests, errors and p50/p95 per endpoint and the server's memory, "
        "and fails on any error or any upload not indexed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--duration", type=float, default=60.0, help="Seconds.")
        parser.add_argument("--workspace", default="load-test", help="Made for the run, deleted after.")
        parser.add_argument("--samples", type=Path, default=settings.BASE_DIR / "samples" / "argocd")
        parser.add_argument(
            "--url",
            help="A running server on this database instead of one started for the run; it must allow "
            f"the rate (RATE_LIMIT_PER_KEY={LOAD_RATE_LIMIT}) and have a worker.",
        )
        parser.add_argument("--server-pid", type=int, help="With --url: the server process whose memory to read.")
        parser.add_argument("--keep", action="store_true", help="Keep the workspace and what the run added.")
        parser.add_argument(
            "--max-memory-growth",
            type=float,
            default=10.0,
            help="Fail when the server's memory grows more than this many percent over the run's second half.",
        )

    def handle(self, *args, clients, duration, workspace, samples, url, server_pid, keep, max_memory_growth, **options):
        if not samples.is_dir():
            raise CommandError(f"No sample documents at {samples}.")
        log_dir = Path(settings.DATA_DIR) / "load"
        logging.getLogger("httpx2").setLevel(logging.WARNING)  # a line per request would bury the report
        self.stdout.write(f"Indexing {samples} into '{workspace}'...")
        try:
            with (
                load_workspace(workspace_id=workspace, paths=[samples], keep=keep) as target,
                load_api_key(workspace=target) as api_key,
                nullcontext((url, server_pid)) if url else local_site(log_dir=log_dir) as (base_url, pid),
            ):
                self.stdout.write(f"{clients} clients for {duration:.0f} s against {base_url}...")
                report = asyncio.run(
                    run_load(
                        base_url=base_url,
                        api_key=api_key,
                        workspace_id=target.pk,
                        clients=clients,
                        duration_seconds=duration,
                        server_pid=pid,
                    )
                )
        except WorkspaceInUse as exc:
            raise CommandError(str(exc)) from exc
        except (ProviderNotAvailable, RuntimeError) as exc:
            raise CommandError(f"{exc} (server and worker output: {log_dir})") from exc
        self.stdout.write("\n".join(report_lines(report)))
        if failures := report.failures(max_memory_growth_percent=max_memory_growth):
            raise CommandError("; ".join(failures).capitalize() + ".")
