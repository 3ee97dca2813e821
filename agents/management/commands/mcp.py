import asyncio
import os

from django.core.management.base import BaseCommand, CommandError

from agents.server import build_mcp_server
from workspaces.selectors import principal_for_key

API_KEY_VARIABLE = "RAGSITE_API_KEY"


class Command(BaseCommand):
    help = (
        f"Serve the MCP tools over stdio, for a local agent that starts this command, as the API key "
        f"in {API_KEY_VARIABLE}. Over HTTP the web server serves the same tools at /mcp."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stdio", action="store_true", help="Serve over stdin and stdout (the only way here).")

    def handle(self, *args, stdio, **options):
        if not stdio:
            raise CommandError("Pass --stdio; over HTTP the web server answers at /mcp.")
        api_key = os.environ.get(API_KEY_VARIABLE, "").strip()
        if not api_key:
            raise CommandError(f"Set {API_KEY_VARIABLE} to an API key (manage.py create_api_key makes one).")
        # Checked once here so a mistyped key fails at start; every call checks it again.
        if principal_for_key(api_key) is None:
            raise CommandError(f"{API_KEY_VARIABLE} is not a valid API key: it is unknown or revoked.")
        asyncio.run(build_mcp_server(api_key=api_key).run_stdio_async())
