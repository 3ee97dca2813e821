"""Test settings: local's embedded PostgreSQL and Redis (or DATABASE_URL / REDIS_URL), the `fake` embedder."""

from .local import *  # noqa: F403
from .local import CACHES, INSTALLED_APPS, LOGGING, REST_FRAMEWORK, env, task_queues, task_routes

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
CACHES["default"]["KEY_PREFIX"] = "ragsite-test"
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"per_key": "100000/min"}
REST_FRAMEWORK["TEST_REQUEST_DEFAULT_FORMAT"] = "json"  # what the API reads; uploads say format="multipart"
LOGGING["root"]["level"] = "WARNING"
# A worker of `make run` never takes test tasks.
TASK_QUEUES = task_queues("ragsite-test-")
CELERY_TASK_DEFAULT_QUEUE = TASK_QUEUES["maintenance"]
CELERY_TASK_ROUTES = task_routes(TASK_QUEUES)
# Test doubles that must run inside the processes the tests start (a slow export source).
INSTALLED_APPS = [*INSTALLED_APPS, "testing"]
# The app servers tests start serve static files from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = True
