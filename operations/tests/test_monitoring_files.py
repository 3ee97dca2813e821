"""monitoring/: the alert rules and the Grafana dashboard name only metrics the app exports."""

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from core import metrics

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "monitoring" / "alerts.yml"
DASHBOARD = ROOT / "monitoring" / "grafana" / "dashboards" / "rag.json"
RAG_NAME = re.compile(r"\brag_\w+")
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"), "gauge": ("",)}


def families():
    collectors = [value for value in vars(metrics).values() if isinstance(value, MetricWrapperBase)]
    return [family for collector in [*collectors, metrics.STATE] for family in collector.describe()]


def exported_names() -> set[str]:
    return {family.name + suffix for family in families() for suffix in SUFFIXES[family.type]}


def alert_expressions() -> dict[str, str]:
    rules = yaml.safe_load(ALERTS.read_text())
    return {rule["alert"]: rule["expr"] for group in rules["groups"] for rule in group["rules"]}


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_registry_knows_the_promised_families():
    assert {family.name for family in families()} >= {
        "rag_stage_duration_seconds",
        "rag_embedding_batch_size",
        "rag_embedding_batch_duration_seconds",
        "rag_api_requests",
        "rag_refusals",
        "rag_provider_errors",
        "rag_tokens",
        "rag_cost_usd",
        "rag_chunks_ingested",
        "rag_task_runs",
        "rag_task_duration_seconds",
        "rag_documents",
        "rag_documents_stuck",
        "rag_export_jobs",
        "rag_queue_depth",
    }


@pytest.mark.parametrize("source", ["alerts", "dashboard"])
def test_every_metric_named_is_exported(source):
    expressions = list(alert_expressions().values()) if source == "alerts" else dashboard_expressions()
    named = {name for expression in expressions for name in RAG_NAME.findall(expression)}
    assert named, "no rag_ metric found: the parser or the file is wrong"
    assert named <= exported_names(), sorted(named - exported_names())


def test_the_dashboard_shows_every_family():
    used = " ".join(dashboard_expressions())
    missing = [family.name for family in families() if not re.search(rf"\b{family.name}(_\w+)?\b", used)]
    assert not missing


def test_the_alerts_cover_what_operators_are_paged_for():
    expressions = alert_expressions()
    joined = " ".join(expressions.values())
    for needle in (
        'rag_api_requests_total{status=~"5.."}',
        'stage="total"',
        'stage="first_token"',
        "rag_documents_stuck",
        "rag_queue_depth",
        'outcome="failure"',
        "rag_provider_errors_total",
        'up{job="ragsite-worker"}',
        'rag_export_jobs{status="failed"}',
    ):
        assert needle in joined, needle
