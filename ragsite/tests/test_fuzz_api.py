"""Schemathesis over every operation of /api/schema/, with an admin key that may do everything.

Positive and negative data, then the stateful links: no answer is a 5xx, and every answer (errors
included) has a status, a content type and a body that the schema describes. Path parameters are
drawn from what schemathesis generates and from the ids of objects that exist, so operations on
one object are reached, not only their 404. Each example runs in a savepoint rolled back after it:
a DELETE or an archive in one example leaves the next one the same objects.

FUZZ_EXAMPLES sets the examples per operation (`make test` runs 40, `make fuzz` 200), and
FUZZ_STATEFUL_SCENARIOS the scenarios of the stateful run (as many, by default).
"""

import os
import secrets
import uuid
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from audit.tests.factories import AuditLogFactory
from chat.tests.factories import ChatLogFactory, ChatSessionFactory
from core.roles import Role
from documents.indexing import documents_index
from documents.models import DocumentStatus
from documents.tests.factories import DocumentFactory
from exports.storage import export_file_name, resolve_export_path
from exports.tests.factories import ExportJobFactory
from testing.fixtures import RUNBOOK
from workspaces.tests.factories import ApiKeyFactory, WorkspaceFactory
from workspaces.throttling import PerKeyRateThrottle

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ_STATEFUL_SCENARIOS = int(os.environ.get("FUZZ_STATEFUL_SCENARIOS", str(FUZZ_EXAMPLES)))

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

WORKSPACE_ID = "fuzz"
SESSION_ID = uuid.UUID("5e5510a0-0000-4000-8000-000000000001")
CHAT_LOG_ID = uuid.UUID("c4a7109a-0000-4000-8000-000000000001")
FAILED_JOB_ID = uuid.UUID("e0b0fa11-0000-4000-8000-000000000001")
SUCCEEDED_JOB_ID = uuid.UUID("e0b05cce-0000-4000-8000-000000000001")
AUDIT_LOG_ID = 900_000_001
DOCUMENT_ID = uuid.UUID("d0c0f022-0000-4000-8000-000000000001")
RAW_KEY = "rag_fuzz_" + secrets.token_urlsafe(24)

pytestmark = [
    pytest.mark.django_db,
    # /chat/stream's events are an async iterator, served through WSGI here (ASGI in production).
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous iterators"),
]


@pytest.fixture
def fuzz_objects(settings, tmp_path, monkeypatch, quiet_request_cycle):
    """One object of each kind the paths name, in one workspace, and an admin key for everything,
    whose rate limit thousands of requests a minute do not reach."""
    monkeypatch.setattr(PerKeyRateThrottle, "THROTTLE_RATES", {"per_key": "1000000/min"})
    settings.EXPORT_STORAGE_DIR = tmp_path / "exports"
    workspace = WorkspaceFactory(id=WORKSPACE_ID, name="Fuzz")
    DocumentFactory(id=DOCUMENT_ID, workspace=workspace, content=RUNBOOK, status=DocumentStatus.PENDING)
    documents_index(document_ids=[DOCUMENT_ID])
    session = ChatSessionFactory(id=SESSION_ID, workspace=workspace)
    ChatLogFactory(id=CHAT_LOG_ID, workspace=workspace, session=session)
    ExportJobFactory(id=FAILED_JOB_ID, workspace=workspace, failed=True)
    job = ExportJobFactory(id=SUCCEEDED_JOB_ID, workspace=workspace, succeeded=True)
    path = resolve_export_path(export_file_name(job_id=job.pk, file_format=job.format))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"question": "How do I roll back?"}\n')
    job.file_path, job.file_size = path.name, path.stat().st_size
    job.save()
    AuditLogFactory(id=AUDIT_LOG_ID, workspace_ids=[WORKSPACE_ID])
    ApiKeyFactory(raw_key=RAW_KEY, role=Role.ADMIN)


# For each path parameter, the ids that name an object (audit logs' `log_id` is an integer).
EXISTING_IDS = {
    "workspace_id": [WORKSPACE_ID],
    "document_id": [str(DOCUMENT_ID)],
    "session_id": [str(SESSION_ID)],
    "log_id": [str(CHAT_LOG_ID)],
    "audit_log_id": [AUDIT_LOG_ID],
    "job_id": [str(FAILED_JOB_ID), str(SUCCEEDED_JOB_ID)],
}
HEADERS = {"Authorization": f"Bearer {RAW_KEY}", "X-Workspace-ID": WORKSPACE_ID}

schema = schemathesis.openapi.from_wsgi(
    "/api/schema/",
    WSGIHandler(),
    config=schemathesis.Config.from_dict({"generation": {"mode": "all", "max-examples": FUZZ_EXAMPLES}}),
)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Each id is the generated one or one that exists, so both the 404 and the object are reached."""
    if not path_parameters:
        return st.just(path_parameters)
    audit = context.operation.path.startswith("/workspaces/audit-logs/")
    choices = {}
    for name, generated in path_parameters.items():
        existing = EXISTING_IDS.get("audit_log_id" if audit and name == "log_id" else name, [])
        choices[name] = st.sampled_from([generated, *existing])
    return st.fixed_dictionaries(choices)


@schema.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_the_schema_says(case, fuzz_objects):
    with rolled_back():
        case.call_and_validate(headers=HEADERS, checks=CHECKS)


def test_linked_operations_answer_as_the_schema_says(fuzz_objects):
    class Machine(schema.as_state_machine()):
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": HEADERS}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Machine.run(
        settings=hypothesis_settings(
            max_examples=FUZZ_STATEFUL_SCENARIOS,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


@contextmanager
def rolled_back():
    """A savepoint that is always rolled back: the example's writes are undone."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
