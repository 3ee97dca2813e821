"""Test settings: the real embedded PostgreSQL and Redis, the `fake` embedder."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
API_KEYS = []
API_KEY_ROLES = []
EMBEDDING_PROVIDER = env("EMBEDDING_PROVIDER", default="fake")
if EMBEDDING_PROVIDER == "fake":
    EMBEDDING_MODEL = env("EMBEDDING_MODEL", default="fake-hash")
    # What the fake embedder's tests were written for, whichever model is the default.
    CHUNK_MAX_TOKENS = env.int("CHUNK_MAX_TOKENS", default=256)
    CHAT_MIN_SIMILARITY = env.float("CHAT_MIN_SIMILARITY", default=0.3)
    CHAT_OUT_OF_SCOPE_SIMILARITY = env.float("CHAT_OUT_OF_SCOPE_SIMILARITY", default=0.2)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES["default"]["KEY_PREFIX"] = "ragsite-test"  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"per_key": "100000/min"}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = "ragsite-test"  # a worker of `make run` never takes test tasks
# Seconds to sleep per exported row: lets a test kill a worker in the middle of an export.
EXPORT_TEST_ROW_DELAY_SECONDS = env.float("EXPORT_TEST_ROW_DELAY_SECONDS", default=0.0)
