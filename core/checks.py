"""System checks for configuration. Messages name settings, never their values."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

KNOWN_PROVIDERS = {
    "EMBEDDING_PROVIDER": {"local", "openai", "fake"},
    "GENERATOR_PROVIDER": {"extractive", "openai", "fake"},
    "QUERY_REWRITER_PROVIDER": {"none", "openai"},
    "RERANKER_PROVIDER": {"none", "cross-encoder", "openai"},
    "AUTH_MODE": {"api_key", "gateway"},
    "OPENAI_API_STYLE": {"chat", "responses"},
}
DEV_KEYS = {"dev-key"}


@checks.register(checks.Tags.compatibility)
def check_configuration(app_configs=None, **kwargs):
    """Settings that are wrong in every environment."""
    errors = []
    for name, allowed in KNOWN_PROVIDERS.items():
        if getattr(settings, name) not in allowed:
            errors.append(
                checks.Error(
                    f"{name} has an unknown value.",
                    hint=f"Use one of: {', '.join(sorted(allowed))}.",
                    id="ragsite.E010",
                )
            )
    if len(settings.API_KEY_ROLES) > len(settings.API_KEYS):
        errors.append(
            checks.Error(
                "API_KEY_ROLES lists more roles than API_KEYS lists keys.",
                hint="Give one role per key, in the same order.",
                id="ragsite.E011",
            )
        )
    for role in settings.API_KEY_ROLES:
        if role not in {"viewer", "editor", "admin"}:
            errors.append(
                checks.Error(
                    "API_KEY_ROLES holds an unknown role.",
                    hint="Roles are viewer, editor and admin.",
                    id="ragsite.E012",
                )
            )
    uses_openai = [
        name
        for name in ("EMBEDDING_PROVIDER", "GENERATOR_PROVIDER", "QUERY_REWRITER_PROVIDER", "RERANKER_PROVIDER")
        if getattr(settings, name) == "openai"
    ]
    if uses_openai and not (settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL):
        errors.append(
            checks.Error(
                f"OPENAI_API_KEY is not set but {', '.join(uses_openai)} uses openai.",
                id="ragsite.E014",
            )
        )
    if settings.AUTH_MODE == "gateway" and not _is_access_control_template(settings.ACCESS_CONTROL_URL):
        errors.append(
            checks.Error(
                "AUTH_MODE is gateway but ACCESS_CONTROL_URL is not an http(s) URL template.",
                hint="Set ACCESS_CONTROL_URL to a URL containing {workspace_id}.",
                id="ragsite.E016",
            )
        )
    if settings.EMBEDDING_DIMENSION <= 0:
        errors.append(checks.Error("EMBEDDING_DIMENSION must be a positive integer.", id="ragsite.E015"))
    return errors


def _is_access_control_template(url: str) -> bool:
    return url.startswith(("http://", "https://")) and "{workspace_id}" in url


def production_errors() -> list[checks.CheckMessage]:
    """Settings a production deployment cannot start without."""
    missing = getattr(settings, "PRODUCTION_MISSING_SETTINGS", None)
    if missing is None:
        return []
    errors = []
    if "DJANGO_SECRET_KEY" in missing:
        errors.append(
            checks.Error(
                "DJANGO_SECRET_KEY is not set.",
                hint="Set it to a long random string; it signs sessions and CSRF tokens.",
                id="ragsite.E001",
            )
        )
    elif len(settings.SECRET_KEY) < 50 or settings.SECRET_KEY.startswith(
        ("local-only", "test-only", "django-insecure")
    ):
        errors.append(
            checks.Error(
                "DJANGO_SECRET_KEY is too short or a development value.",
                hint="Use at least 50 random characters.",
                id="ragsite.E002",
            )
        )
    for name, check_id, what in (
        ("DATABASE_URL", "ragsite.E007", "a PostgreSQL 15+ with pgvector"),
        ("REDIS_URL", "ragsite.E008", "a Redis (the Celery broker and shared cache)"),
    ):
        if name in missing:
            errors.append(
                checks.Error(
                    f"{name} is not set.",
                    hint=f"Point it at {what}; production never starts an embedded one.",
                    id=check_id,
                )
            )
    if "API_KEY_PEPPER" in missing:
        errors.append(
            checks.Error(
                "API_KEY_PEPPER is not set.",
                hint="Set it to a long random string kept out of the database; stored API key hashes are "
                "HMACs with it. Changing it later invalidates every key.",
                id="ragsite.E009",
            )
        )
    if "DJANGO_ALLOWED_HOSTS" in missing:
        errors.append(
            checks.Error(
                "DJANGO_ALLOWED_HOSTS is not set.",
                hint="List the host names this service answers to, comma separated.",
                id="ragsite.E003",
            )
        )
    elif "*" in settings.ALLOWED_HOSTS:
        errors.append(
            checks.Error(
                "DJANGO_ALLOWED_HOSTS allows every host ('*').",
                hint="List the host names explicitly.",
                id="ragsite.E004",
            )
        )
    if settings.DEBUG:
        errors.append(checks.Error("DJANGO_DEBUG is on in production.", id="ragsite.E005"))
    if DEV_KEYS & set(settings.API_KEYS):
        errors.append(
            checks.Error(
                "API_KEYS contains a development key.",
                hint="Create keys with `manage.py create_api_key` instead.",
                id="ragsite.E006",
            )
        )
    return errors


@checks.register(checks.Tags.security)
def check_production_settings(app_configs=None, **kwargs):
    return production_errors()


def raise_on_configuration_errors() -> None:
    """Refuse to serve with a broken configuration or a model that cannot be found.

    Called where a process starts serving: the ASGI and WSGI applications and the
    Celery worker. Runs every registered system check (this module's and each
    app's own, such as the model checks) except those that need the database.
    """
    found = checks.run_checks(include_deployment_checks=False)
    problems = [message for message in found if message.level >= checks.ERROR and not message.is_silenced()]
    if problems:
        lines = "\n".join(f"  {message.id}: {message.msg}" for message in problems)
        raise ImproperlyConfigured(f"Refusing to start; fix these settings:\n{lines}")
