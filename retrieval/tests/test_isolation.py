"""Workspaces beside 100,000 chunks of another get all their own rows from both legs, and none of the other's."""

import pytest

from evals.isolation import grow_workspaces, measure_isolation
from workspaces.tests.factories import WorkspaceFactory

LIMIT = 100


@pytest.fixture
def beside_a_large_workspace(db, settings):
    """A small and a middle-sized workspace, their rows in one HNSW graph with the large one's, as in any database."""
    large, small, middle = WorkspaceFactory(id="large"), WorkspaceFactory(id="small"), WorkspaceFactory(id="middle")
    grow_workspaces(sizes={large: 100_000, small: 200, middle: 5_000}, model_name=settings.EMBEDDING_MODEL)
    return small, middle


@pytest.mark.slow
def test_workspaces_get_every_row_of_their_own_and_none_of_the_other(beside_a_large_workspace, settings):
    for workspace in beside_a_large_workspace:
        result = measure_isolation(
            workspace=workspace, model_name=settings.EMBEDDING_MODEL, queries=20, limit=LIMIT, seed=1
        )
        # The middle one's nearest rows, scanned through the shared graph, were about a fifth right.
        assert result.mean_recall == 1.0, workspace.pk
        assert result.vector_rows == [LIMIT] * 20
        assert result.min_keyword_rows == LIMIT
        assert result.foreign_rows == 0

    # Above the exact-search size, the graph's scan still goes on until it has `limit` rows of the workspace's own.
    settings.VECTOR_EXACT_SEARCH_MAX_CHUNKS = 0
    for workspace in beside_a_large_workspace:
        result = measure_isolation(
            workspace=workspace, model_name=settings.EMBEDDING_MODEL, queries=20, limit=LIMIT, seed=2
        )
        assert result.vector_rows == [LIMIT] * 20, workspace.pk
        assert result.foreign_rows == 0
