"""Local development: debug on, a bootstrap admin key, and embedded PostgreSQL and Redis
unless DATABASE_URL / REDIS_URL name real ones."""

from core import embedded

from .base import *  # noqa: F403
from .base import (
    DATA_DIR,
    DATABASE_REPLICA_URL,
    DATABASE_URL,
    REDIS_URL,
    cache_settings,
    celery_broker_url,
    database_routers,
    database_settings,
    env,
)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-secret-key-change-me-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
API_KEYS = env.list("API_KEYS", default=["dev-key"])
API_KEY_ROLES = env.list("API_KEY_ROLES", default=["admin"])

DATABASES = database_settings(
    env.db_url_config(DATABASE_URL) if DATABASE_URL else embedded.postgres_database(DATA_DIR / "postgres"),
    env.db_url_config(DATABASE_REPLICA_URL) if DATABASE_REPLICA_URL else None,
)
DATABASE_ROUTERS = database_routers(DATABASES)
REDIS_URL = REDIS_URL or embedded.redis_url(DATA_DIR / "redis")
CACHES = cache_settings(REDIS_URL)
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = celery_broker_url(REDIS_URL)
