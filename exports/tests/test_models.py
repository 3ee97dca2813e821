import pytest

from exports.models import ExportStatus
from exports.tests.factories import ExportJobFactory

pytestmark = pytest.mark.django_db


def test_new_job_is_pending_with_no_attempts():
    job = ExportJobFactory()
    assert job.status == ExportStatus.PENDING and job.attempts == 0 and job.file_size is None
