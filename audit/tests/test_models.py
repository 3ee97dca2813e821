import pytest

from audit.models import AuditLog
from audit.tests.factories import AuditLogFactory

pytestmark = pytest.mark.django_db


def test_filter_by_affected_workspace_uses_array_containment():
    AuditLogFactory(workspace_ids=["alpha", "beta"])
    AuditLogFactory(workspace_ids=["gamma"])
    assert AuditLog.objects.filter(workspace_ids__contains=["beta"]).count() == 1
    assert AuditLog.objects.filter(workspace_ids__overlap=["alpha", "gamma"]).count() == 2


def test_newest_first():
    older, newer = AuditLogFactory(), AuditLogFactory()
    assert list(AuditLog.objects.all()) == [newer, older]
