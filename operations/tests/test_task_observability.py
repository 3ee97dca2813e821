"""Tasks carry the request id that sent them and are measured; a real prefork worker serves
its pool's task metrics on WORKER_METRICS_PORT and writes JSON log lines."""

import json
import uuid

import pytest
from django.conf import settings

from core import task_signals
from core.queue import enqueue_on_commit, task_named
from core.request_id import request_id_scope
from documents.models import Document, DocumentStatus
from testing.metrics import scrape_app, scrape_url
from testing.processes import free_port, start_celery_worker, stop_process, wait_for

LOG_TASKS = 6


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_prefork_worker_serves_its_task_metrics_and_logs_the_sending_requests_id(
    client_for, editor_key, workspace, tmp_path
):
    port = free_port()
    log_path = tmp_path / "worker.log"
    request_id, task_request_id = f"req-{uuid.uuid4().hex}", f"req-{uuid.uuid4().hex}"
    with log_path.open("wb") as log_file:
        worker = start_celery_worker(
            pool="prefork",
            concurrency=2,
            loglevel="INFO",
            stderr=log_file,
            WORKER_METRICS_PORT=str(port),
            # Python's own warnings (Celery's about running as root, as test machines do) are
            # printed before logging is set up; they are not log lines.
            PYTHONWARNINGS="ignore",
        )
        try:
            response = client_for(editor_key, workspace).post(
                "/documents",
                {"title": "Waves", "content": "# Waves\n\nSync waves order resources."},
                format="json",
                HTTP_X_REQUEST_ID=request_id,
            )
            assert response.status_code == 202, response.content
            with request_id_scope(task_request_id):
                for n in range(LOG_TASKS):
                    enqueue_on_commit("testing.log_line", f"line {n}")
            assert wait_for(lambda: Document.objects.get().status == DocumentStatus.COMPLETED, timeout=90)
            url = f"http://127.0.0.1:{port}/metrics"

            def runs(task, lane="maintenance"):
                queue = settings.TASK_QUEUES[lane]
                return scrape_url(url).value("rag_task_runs_total", task=task, queue=queue, outcome="success")

            # Both children took tasks: only the multiprocess sum counts them all.
            assert wait_for(lambda: runs("testing.log_line") == LOG_TASKS, timeout=60), runs("testing.log_line")
            assert wait_for(lambda: runs("documents.index_pending", "interactive") == 1, timeout=30)
            scraped = scrape_url(url)
            assert scraped.value("rag_task_duration_seconds_count", task="testing.log_line") == LOG_TASKS
        finally:
            stop_process(worker)

    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    not_json = [line for line in lines if not _is_json_object(line)]
    assert not not_json, not_json[:5]  # every line the worker logged is JSON
    records = [json.loads(line) for line in lines]
    indexing = [record for record in records if record.get("task") == "documents.index_pending"]
    assert indexing and all(record["request_id"] == request_id for record in indexing)
    said = [record for record in records if record["message"].startswith("testing task says")]
    assert len(said) == LOG_TASKS
    assert all(record["request_id"] == task_request_id and record["task"] == "testing.log_line" for record in said)
    assert len({record["task_id"] for record in said}) == LOG_TASKS


@pytest.mark.django_db
def test_task_runs_are_counted_by_outcome():
    before = scrape_app()
    task_named("testing.log_line").apply(args=["eager"])
    task_named("testing.fail").apply()
    task_signals.task_finished(task_id="no-such-run", task=task_named("testing.fail"), state="RETRY")
    after = scrape_app()

    def moved(task, **labels):
        return after.value("rag_task_runs_total", task=task, **labels) - before.value(
            "rag_task_runs_total", task=task, **labels
        )

    assert moved("testing.log_line", outcome="success", queue="eager") == 1
    assert moved("testing.fail", outcome="failure", queue="eager") == 1
    assert moved("testing.fail", outcome="retry") == 1
    duration = "rag_task_duration_seconds_count"
    assert after.value(duration, task="testing.fail") - before.value(duration, task="testing.fail") == 1


def test_a_sent_task_carries_the_current_request_id():
    with request_id_scope("req-publish-1"):
        headers = {}
        task_signals.carry_request_id(headers=headers)
    assert headers == {task_signals.REQUEST_ID_HEADER: "req-publish-1"}
    outside = {}
    task_signals.carry_request_id(headers=outside)
    assert outside == {}


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
