# syntax=docker/dockerfile:1
# Two stages: `builder` installs the pinned runtime requirements (requirements/base.txt only, no
# dev or test packages) into a virtualenv; `runtime` copies that virtualenv and the code, and runs
# as an unprivileged user. See docs/DEPLOYMENT.md.

# --- builder ---------------------------------------------------------------------
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# The CPU build of torch comes first, from PyTorch's CPU index, so nothing pulls in CUDA wheels;
# requirements/base.txt pins the same version (2.13.0 matches 2.13.0+cpu).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements/base.txt /tmp/requirements/base.txt
RUN pip install --index-url "$TORCH_INDEX_URL" torch==2.13.0 \
 && pip install -r /tmp/requirements/base.txt

# --- runtime ---------------------------------------------------------------------
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=ragsite.settings.production \
    RAGSITE_DATA_DIR=/app/.data
WORKDIR /app

RUN useradd --create-home --uid 10001 rag
COPY --from=builder /opt/venv /opt/venv
# .dockerignore keeps out the test doubles (testing/), every tests/ folder, conftest.py and local state.
COPY . .
# Static files are collected at build time: it needs no database, secret or broker (the production
# settings load with placeholders until then). .data belongs to the app user: beat's schedule,
# export files (a volume in docker-compose.yml), backups.
RUN python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p /app/.data/exports /app/.data/backups \
 && chown -R rag:rag /app/.data
USER rag

EXPOSE 8000
# /health (retrieval/urls.py) answers 200 once the database, the embedding model and any reranker
# are ready, 503 until then; the model loads in the background, hence the start period.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "-m", "core.healthcheck", "web", "http://127.0.0.1:8000/health"]
CMD ["python", "-m", "uvicorn", "ragsite.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--no-access-log", "--lifespan", "off", "--timeout-graceful-shutdown", "5"]
