"""What a workspace's id and search language must be: one definition for the API and the pages."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection

workspace_id_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,63}$", "Use 1-64 lower-case letters, digits, '-' or '_'."
)
# Path segments of /workspaces/... that are endpoints, not workspaces.
RESERVED_WORKSPACE_IDS = {"bulk", "audit-logs"}


def validate_workspace_id_not_reserved(value: str) -> str:
    if value in RESERVED_WORKSPACE_IDS:
        raise ValidationError(f"'{value}' is reserved; choose another id.")
    return value


# What a text-search configuration's name can be; anything else is not looked up (a NUL
# character, for one, is an error in a PostgreSQL query, not an unknown name).
SEARCH_LANGUAGE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def validate_search_language(value: str) -> str:
    """A PostgreSQL text-search configuration that exists (english, simple, german, ...)."""
    if SEARCH_LANGUAGE_NAME.fullmatch(value):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [value])
            if cursor.fetchone() is not None:
                return value
    raise ValidationError(f"Unknown text-search language '{value}'.")
