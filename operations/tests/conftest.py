import pytest
from django.test import Client

from core.roles import Role
from workspaces.tests.factories import MembershipFactory


@pytest.fixture(autouse=True)
def export_storage(settings, tmp_path):
    """Export files of these tests go to their own folder, never the project's data folder."""
    settings.EXPORT_STORAGE_DIR = tmp_path / "exports"
    settings.EXPORT_STORAGE_DIR.mkdir()
    return settings.EXPORT_STORAGE_DIR


@pytest.fixture
def person():
    """person(workspace, role) -> a Client signed in as a member with that role there."""

    def make(workspace, role) -> Client:
        client = Client()
        client.force_login(MembershipFactory(workspace=workspace, role=role).user)
        return client

    return make


@pytest.fixture
def admin(workspace, person) -> Client:
    return person(workspace, Role.ADMIN)
