import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ragsite.settings.local")
# Under ASGI each request's synchronous code runs in a thread of its own, and Django's persistent
# connections belong to a thread: kept open, every request would leave one behind until PostgreSQL
# refuses more ("too many clients", found by `manage.py load`). Requests borrow a connection from
# the process's pool instead and give it back when they end, so the server holds at most
# DATABASE_POOL_MAX_SIZE; with the pool turned off, each request closes its own when it ends.
# Celery workers keep a connection each (DATABASE_CONN_MAX_AGE).
os.environ.setdefault("DATABASE_POOL", "true")
os.environ["DATABASE_CONN_MAX_AGE"] = "0"

application = get_asgi_application()

from django.conf import settings  # noqa: E402

from core.checks import raise_on_configuration_errors  # noqa: E402
from providers.readiness import warm_up_in_background  # noqa: E402

raise_on_configuration_errors()

if settings.MCP_ENABLED:
    from agents.http import with_mcp_server

    # /mcp goes to the MCP server; every other path to Django.
    application = with_mcp_server(application)

warm_up_in_background()
