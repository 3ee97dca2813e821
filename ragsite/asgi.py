import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ragsite.settings.local")

application = get_asgi_application()

from core.checks import raise_on_configuration_errors  # noqa: E402
from providers.readiness import warm_up_in_background  # noqa: E402

raise_on_configuration_errors()
warm_up_in_background()
