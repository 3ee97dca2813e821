"""Local development: debug on, a bootstrap admin key, embedded services."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-secret-key-change-me-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
API_KEYS = env.list("API_KEYS", default=["dev-key"])
API_KEY_ROLES = env.list("API_KEY_ROLES", default=["admin"])
