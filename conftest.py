"""Shared fixtures: an API client and the personas every permission test uses."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.roles import Role
from workspaces.tests.factories import ApiKeyFactory, WorkspaceFactory

pytest_plugins = ["testing.fixtures", "testing.browser"]


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(id="alpha", name="Alpha")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(id="beta", name="Beta")


@pytest.fixture
def admin_key(db):
    return ApiKeyFactory(role=Role.ADMIN)


@pytest.fixture
def editor_key(db):
    return ApiKeyFactory(role=Role.EDITOR)


@pytest.fixture
def viewer_key(db):
    return ApiKeyFactory(role=Role.VIEWER)


@pytest.fixture
def other_workspace_key(db, other_workspace):
    """An admin key, but scoped to another workspace."""
    return ApiKeyFactory(role=Role.ADMIN, workspace=other_workspace)


@pytest.fixture
def revoked_key(db):
    return ApiKeyFactory(role=Role.ADMIN, revoked_at=timezone.now())


@pytest.fixture
def client_for():
    """client_for(key, workspace=None) -> an APIClient sending that key (and workspace header)."""

    def make(api_key=None, workspace=None):
        client = APIClient()
        headers = {}
        if api_key is not None:
            headers["Authorization"] = f"Bearer {api_key.raw_key}"
        if workspace is not None:
            headers["X-Workspace-ID"] = getattr(workspace, "pk", workspace)
        client.credentials(**{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})
        return client

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed() as callbacks:` runs what the block enqueued on commit, at the block's end,
    with Celery tasks executed in-process (the real-worker path has its own test)."""
    from ragsite.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield lambda: django_capture_on_commit_callbacks(execute=True)
    finally:
        app.conf.task_always_eager = False
        app.conf.task_eager_propagates = False
