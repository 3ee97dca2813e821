FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=ragsite.settings.production
WORKDIR /app

# Point PIP_EXTRA_INDEX_URL at a CPU-only torch index to keep CUDA wheels out of the image.
ARG PIP_EXTRA_INDEX_URL=
COPY requirements/ requirements/
RUN pip install --no-cache-dir torch==2.13.0 \
 && pip install --no-cache-dir -r requirements/base.txt

COPY . .
RUN useradd --create-home rag && mkdir -p /app/.data/exports && chown -R rag /app/.data
USER rag

EXPOSE 8000
CMD ["python", "-m", "uvicorn", "ragsite.asgi:application", "--host", "0.0.0.0", "--port", "8000"]
