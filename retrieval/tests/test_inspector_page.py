"""The retrieval inspector page: every result with its rank and score at each stage."""

import pytest
from django.test import Client

from core.roles import Role
from workspaces.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(workspace) -> Client:
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=Role.VIEWER).user)
    return client


def test_results_show_their_scores_per_stage_and_the_timings(viewer, workspace, ingest):
    ingest(workspace, "# Sync waves\n\nSync waves order the resources of an application.", source_uri="waves.md")
    ingest(workspace, "# Bread\n\nKnead the dough and bake it.", source_uri="bread.md", metadata={"tags": ["food"]})
    page = viewer.get("/app/w/alpha/inspect/", {"query": "sync waves order", "mode": "hybrid", "limit": 5})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Sync waves" in body and "Stage timings:" in body and "embed" in body and "keyword" in body
    assert body.index("Sync waves order the resources") < body.index("Knead the dough")
    tagged = viewer.get("/app/w/alpha/inspect/", {"query": "sync waves", "mode": "keyword", "limit": 5, "tags": "food"})
    assert "Sync waves order" not in tagged.content.decode()


def test_a_bad_query_is_a_400_page_and_another_workspace_is_not_found(viewer, other_workspace):
    assert viewer.get("/app/w/alpha/inspect/").status_code == 200  # the empty form
    assert viewer.get("/app/w/alpha/inspect/", {"query": "", "mode": "sideways"}).status_code == 400
    assert viewer.get("/app/w/beta/inspect/", {"query": "x"}).status_code == 404


def test_results_grouped_by_document_and_the_fusion_in_use(viewer, workspace, ingest):
    ingest(
        workspace, "# Sync waves\n\nSync waves order the resources.\n\n## More waves\n\nWaves again.", source_uri="w.md"
    )
    ingest(workspace, "# Hooks\n\nHooks run around a sync.", source_uri="hooks.md")
    body = viewer.get("/app/w/alpha/inspect/", {"query": "sync waves", "by_document": "on"}).content.decode()
    assert "2 documents" in body and "Passages among the results" in body
    assert "Fusion: rrf k=10" in body and "(the site's)" in body
    workspace.retrieval_settings = {"fusion": {"method": "convex", "alpha": 0.3}}
    workspace.save()
    body = viewer.get("/app/w/alpha/inspect/", {"query": "sync waves"}).content.decode()
    assert "Fusion: convex alpha=0.3 zscore" in body and "(this workspace's own)" in body
    assert "0.30 ×" in body and "2 documents" not in body
