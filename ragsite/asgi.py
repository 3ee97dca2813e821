import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ragsite.settings.local")

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
