"""The operator pages: who may see them, what they count and list, filters, details, exports."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditLog
from audit.tests.factories import AuditLogFactory
from chat import guards
from chat.guards import REASON_LABELS
from chat.models import ChatLog
from chat.tests.factories import ChatLogFactory
from core.roles import Role
from documents.models import DocumentStatus
from documents.tests.factories import ChunkFactory, DocumentFactory
from exports.models import ExportJob, ExportStatus
from exports.tests.factories import ExportJobFactory
from workspaces.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def body(response) -> str:
    return response.content.decode()


def staff() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    return client


def page_urls(log, audit_row, job) -> list[str]:
    return [
        "/app/w/alpha/operations/",
        "/app/w/alpha/operations/chat-logs/",
        f"/app/w/alpha/operations/chat-logs/{log.pk}/",
        "/app/w/alpha/operations/audit/",
        f"/app/w/alpha/operations/audit/{audit_row.pk}/",
        "/app/w/alpha/operations/exports/",
        f"/app/w/alpha/operations/exports/{job.pk}/",
        f"/app/w/alpha/operations/exports/{job.pk}/download/",
    ]


def with_file(job: ExportJob, storage, text: str) -> ExportJob:
    (storage / job.file_path).write_text(text)
    return job


def test_only_the_workspaces_admins_reach_the_operator_pages(workspace, person, admin, export_storage):
    log = ChatLogFactory(workspace=workspace)
    audit_row = AuditLogFactory(workspace_ids=["alpha"])
    job = with_file(ExportJobFactory(workspace=workspace, succeeded=True), export_storage, '{"id": 1}\n')
    failed = ExportJobFactory(workspace=workspace, failed=True)
    for role in (Role.EDITOR, Role.VIEWER):
        client = person(workspace, role)
        assert "Operations" not in body(client.get("/app/w/alpha/"))
        for url in page_urls(log, audit_row, job):
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):  # the page and its partial
                response = client.get(url, **headers)
                assert response.status_code == 403 and response["Content-Type"].startswith("text/html"), (role, url)
        for url in ("/app/w/alpha/operations/exports/new/", f"/app/w/alpha/operations/exports/{failed.pk}/retry/"):
            assert client.post(url, {"export_type": "chat_logs", "format": "csv"}).status_code == 403
    assert ExportJob.objects.count() == 2
    assert 'href="/app/w/alpha/operations/"' in body(admin.get("/app/w/alpha/"))
    for url in page_urls(log, audit_row, job):
        assert admin.get(url).status_code == 200, url


def test_another_workspaces_logs_rows_and_jobs_are_not_found(workspace, other_workspace, admin, export_storage):
    ChatLogFactory(workspace=workspace, question="Alpha's question?")
    AuditLogFactory(workspace_ids=["alpha"], action="workspace.update")
    theirs_log = ChatLogFactory(workspace=other_workspace, question="Beta's secret question?")
    theirs_row = AuditLogFactory(workspace_ids=["beta"], action="membership.add", actor="user:beta-admin")
    theirs_job = with_file(ExportJobFactory(workspace=other_workspace, succeeded=True), export_storage, "{}\n")
    theirs_failed = ExportJobFactory(workspace=other_workspace, failed=True)

    assert admin.get("/app/w/beta/operations/").status_code == 404
    assert admin.get("/app/w/beta/operations/chat-logs/").status_code == 404
    for url in (
        f"/app/w/alpha/operations/chat-logs/{theirs_log.pk}/",
        f"/app/w/alpha/operations/audit/{theirs_row.pk}/",
        f"/app/w/alpha/operations/exports/{theirs_job.pk}/",
        f"/app/w/alpha/operations/exports/{theirs_job.pk}/download/",
    ):
        response = admin.get(url)  # B's ids under A's address
        assert response.status_code == 404 and response["Content-Type"].startswith("text/html"), url
    assert admin.post(f"/app/w/alpha/operations/exports/{theirs_failed.pk}/retry/").status_code == 404
    assert ExportJob.objects.get(pk=theirs_failed.pk).status == ExportStatus.FAILED

    logs = body(admin.get("/app/w/alpha/operations/chat-logs/"))
    assert "Alpha&#x27;s question?" in logs and "Beta" not in logs
    audit = body(admin.get("/app/w/alpha/operations/audit/"))
    assert "workspace.update" in audit and "membership.add" not in audit and "beta-admin" not in audit
    exports = body(admin.get("/app/w/alpha/operations/exports/"))
    assert str(theirs_job.pk) not in exports
    overview = body(admin.get("/app/w/alpha/operations/"))
    assert "Beta" not in overview and "membership.add" not in overview


def test_the_overview_counts_documents_chat_logs_refusals_and_feedback(
    workspace, other_workspace, admin, django_assert_max_num_queries
):
    for status in (DocumentStatus.COMPLETED, DocumentStatus.FAILED, DocumentStatus.PENDING):
        DocumentFactory(workspace=workspace, status=status)
    DocumentFactory(workspace=workspace, status=DocumentStatus.COMPLETED, embedding_model="an-older-model")
    ChunkFactory.create_batch(3, document=DocumentFactory(workspace=workspace))
    ChatLogFactory.create_batch(2, workspace=workspace, rating="up")
    ChatLogFactory(workspace=workspace, rating="down", rating_comment="Missed the point.")
    ChatLogFactory.create_batch(3, workspace=workspace, refused=True, refusal_reason=guards.LOW_CONFIDENCE)
    ChatLogFactory(workspace=workspace, refused=True, refusal_reason=guards.UNSAFE)
    ChatLogFactory(workspace=workspace, error_code="provider_timeout", error="timed out")
    ChatLogFactory.create_batch(5, workspace=other_workspace, refused=True, refusal_reason=guards.OUT_OF_SCOPE)
    AuditLogFactory(workspace_ids=["alpha"], action="workspace.update")

    with django_assert_max_num_queries(15):
        response = admin.get("/app/w/alpha/operations/")
    page = body(response)
    assert response.status_code == 200
    assert counts(page, "Documents") == {
        "All": "5",
        "Completed": "3",
        "Pending": "1",
        "Processing": "0",
        "Failed": "1",
        "Chunks": "3",
        "Awaiting reindex": "1",  # the older model's; not the pending or the failed one
    }
    assert counts(page, "Chat logs") == {"All": "8", "Answered": "3", "Refused": "4", "Failed": "1"}
    assert counts(page, "Refusals by reason") == {
        REASON_LABELS[guards.LOW_CONFIDENCE]: "3",
        REASON_LABELS[guards.UNSAFE]: "1",
    }
    assert counts(page, "Feedback") == {"Helpful": "2", "Not helpful": "1", "Not rated": "5"}
    assert "?refused=true&amp;refusal_reason=low_confidence" in page
    assert "workspace.update" in page  # recent activity
    assert "Across the site" not in page  # a member is limited to their workspaces

    site = body(staff().get("/app/w/alpha/operations/"))
    assert "Across the site" in site and "2 active workspaces" in site and "0 archived" in site


def counts(page: str, heading: str) -> dict[str, str]:
    """The label -> number pairs of one count card."""
    card = page.split(f"<h2>{heading}</h2>", 1)[1].split("</section>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", card)
    return {re.sub(r"<[^>]+>", "", label): value for label, value in pairs}


def test_every_refusal_reason_has_plain_words():
    assert set(guards.MESSAGES) == set(REASON_LABELS)


def test_each_chat_log_filter(workspace, admin):
    now = timezone.now()
    old = ChatLogFactory(workspace=workspace, question="An old question about pods?")
    ChatLog.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=10))
    ChatLogFactory(workspace=workspace, question="Helpful answer?", rating="up", request_id="req-helpful")
    ChatLogFactory(workspace=workspace, question="Unhelpful answer?", rating="down")
    ChatLogFactory(workspace=workspace, question="Unsafe one?", refused=True, refusal_reason=guards.UNSAFE)
    ChatLogFactory(workspace=workspace, question="Empty one?", refused=True, refusal_reason=guards.EMPTY_RETRIEVAL)
    ChatLogFactory(workspace=workspace, question="Another?", answer="Restart the deployment [1].")

    def shown(**query) -> set[str]:
        response = admin.get("/app/w/alpha/operations/chat-logs/", query)
        assert response.status_code == 200, query
        return set(re.findall(r'/chat-logs/[0-9a-f-]{36}/">([^<]+)</a>', body(response)))

    everything = shown()
    assert len(everything) == 6
    since = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert "An old question about pods?" not in shown(since=since) and len(shown(since=since)) == 5
    assert shown(until=since) == {"An old question about pods?"}
    assert shown(refused="true") == {"Unsafe one?", "Empty one?"}
    assert len(shown(refused="false")) == 4
    assert shown(refusal_reason=guards.UNSAFE) == {"Unsafe one?"}
    assert shown(rating="up") == {"Helpful answer?"}
    assert shown(rating="down") == {"Unhelpful answer?"}
    assert shown(rating="rated") == {"Helpful answer?", "Unhelpful answer?"}
    assert len(shown(rating="unrated")) == 4
    assert shown(request_id="req-helpful") == {"Helpful answer?"}
    assert shown(q="PODS") == {"An old question about pods?"}  # in the question, any case
    assert shown(q="deployment") == {"Another?"}  # or in the answer
    # Blank inputs (a form sends every one) filter nothing.
    assert shown(q="", refused="", rating="", since="", refusal_reason="") == everything


def test_bad_filter_input_is_a_400_page_naming_each_problem(workspace, admin):
    ChatLogFactory(workspace=workspace)
    response = admin.get("/app/w/alpha/operations/chat-logs/", {"since": "yesterday-ish", "rating": "sideways"})
    page = body(response)
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "These filters cannot be used" in page and "From: " in page and "Rating: " in page
    assert 'value="yesterday-ish"' in page  # the form shows what was typed, with its error
    fragment = admin.get("/app/w/alpha/operations/chat-logs/", {"refused": "perhaps"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 400 and "<html" not in body(fragment) and "Refused: " in body(fragment)
    assert admin.get("/app/w/alpha/operations/chat-logs/", {"q": "x" * 201}).status_code == 400
    audit = admin.get("/app/w/alpha/operations/audit/", {"until": "31/02/2026"})
    assert audit.status_code == 400 and "Until: " in body(audit)


def test_a_filter_change_answers_the_results_fragment_and_pages_keep_the_filters(workspace, admin):
    ChatLogFactory.create_batch(55, workspace=workspace, refused=True, refusal_reason=guards.LOW_CONFIDENCE)
    fragment = body(admin.get("/app/w/alpha/operations/chat-logs/", {"refused": "true"}, HTTP_HX_REQUEST="true"))
    assert fragment.lstrip().startswith('<div id="chat-log-results"') and "<html" not in fragment
    assert "55 chat logs match" in fragment and "Page 1 of 2" in fragment
    assert "?refused=true&amp;page=2" in fragment
    assert 'name="refused" value="true"' in fragment  # the export form carries the filters
    page_two = body(admin.get("/app/w/alpha/operations/chat-logs/", {"refused": "true", "page": "2"}))
    assert len(re.findall(r'/chat-logs/[0-9a-f-]{36}/"', page_two)) == 5


def test_the_chat_log_list_stays_light_with_ten_thousand_logs(workspace, admin, django_assert_max_num_queries):
    heavy_answer = "A long answer. " * 200
    ChatLog.objects.bulk_create(
        ChatLog(workspace=workspace, question=f"Question {n}?", answer=heavy_answer, retrieved_chunk_ids=[1, 2, 3])
        for n in range(10_000)
    )
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(10):
        response = admin.get("/app/w/alpha/operations/chat-logs/")
    assert response.status_code == 200 and "10000 chat logs" in body(response)
    assert len(re.findall(r'/chat-logs/[0-9a-f-]{36}/"', body(response))) == 50
    rows_query = next(query["sql"] for query in queries.captured_queries if "LIMIT 50" in query["sql"])
    assert '"answer"' not in rows_query and '"retrieved_chunk_ids"' not in rows_query  # heavy fields stay behind


def test_a_chat_logs_detail_shows_everything_about_the_answer(workspace, admin):
    runbook = DocumentFactory(workspace=workspace, title="Runbook")
    first = ChunkFactory(document=runbook, heading_path=["Runbook", "Restart"], text="Restart the pods.")
    second = ChunkFactory(document=runbook, heading_path=["Runbook", "Rollback"], text="Roll back with undo.")
    gone = ChunkFactory(document=DocumentFactory(workspace=workspace, title="Old notes"), text="Soon gone.")
    gone_id = gone.pk
    log = ChatLogFactory(
        workspace=workspace,
        question="How do I restart?",
        rewritten_query="restart pods",
        answer="Restart the pods [2].",
        retrieved_chunk_ids=[second.pk, first.pk, gone_id],
        citations=[
            {"n": 2, "chunk_id": first.pk, "document_id": str(runbook.pk), "title": "Runbook", "heading_path": []},
            {"n": 3, "chunk_id": gone_id, "document_id": "not-a-uuid", "title": "Old notes", "heading_path": []},
        ],
        provider="openai",
        model="gpt-test",
        tokens_in=120,
        tokens_out=30,
        cost_usd="0.001250",
        latency_ms={"total": 200.0, "generation": 150.0, "rewrite": 10.0, "retrieval": 40.0},
        rating="down",
        rating_comment="Too short.",
        rated_by="user:ada",
        request_id="req-123",
    )
    gone.delete()
    page = body(admin.get(f"/app/w/alpha/operations/chat-logs/{log.pk}/"))
    for text in (
        "How do I restart?",
        "restart pods",
        "Restart the pods [2].",
        "Too short.",
        "Not helpful",
        "openai",
        "gpt-test",
        "120 in · 30 out",
        "$0.001250",
        "req-123",
        "user:ada",
    ):
        assert text in page, text
    # Stages in the order they ran, each a bar of the total.
    assert page.index(">Rewrite<") < page.index(">Retrieval<") < page.index(">Generation<") < page.index(">Total<")
    assert '<meter min="0" max="200.0" value="150.0"' in page
    # The passages in retrieval order, with their document and headings; the deleted one is gone.
    passages = page.split("Retrieved passages", 1)[1]
    assert passages.index("Roll back with undo.") < passages.index("Restart the pods.") < passages.index("is gone")
    assert "Runbook › Rollback" in passages and f'href="/app/w/alpha/documents/{runbook.pk}/"' in passages
    assert "cited [2]" in passages
    assert "Old notes</span>" not in page and "(gone)" in page  # a citation of a gone chunk links nowhere


def test_a_refused_or_failed_log_shows_why(workspace, admin):
    refused = ChatLogFactory(workspace=workspace, refused=True, refusal_reason=guards.OUT_OF_SCOPE, citations=[])
    failed = ChatLogFactory(workspace=workspace, error_code="provider_timeout", error="The provider timed out.")
    refused_page = body(admin.get(f"/app/w/alpha/operations/chat-logs/{refused.pk}/"))
    assert REASON_LABELS[guards.OUT_OF_SCOPE] in refused_page and "(out_of_scope)" in refused_page
    failed_page = body(admin.get(f"/app/w/alpha/operations/chat-logs/{failed.pk}/"))
    assert "provider_timeout" in failed_page and "The provider timed out." in failed_page


def test_text_holding_script_is_inert_on_every_page(workspace, admin):
    log = ChatLogFactory(
        workspace=workspace,
        question=HOSTILE,
        answer=HOSTILE,
        rewritten_query=HOSTILE,
        rating_comment=HOSTILE,
        request_id=HOSTILE[:100],
        refusal_reason="<script>x</script>",
        refused=True,
        citations=[{"n": 1, "chunk_id": 1, "title": HOSTILE, "heading_path": [HOSTILE]}],
        latency_ms={HOSTILE: 5, "total": 5},
    )
    row = AuditLogFactory(workspace_ids=["alpha"], action=HOSTILE[:60], actor=HOSTILE, metadata={"note": HOSTILE})
    for url in (
        "/app/w/alpha/operations/",
        "/app/w/alpha/operations/chat-logs/",
        f"/app/w/alpha/operations/chat-logs/{log.pk}/",
        "/app/w/alpha/operations/audit/",
        f"/app/w/alpha/operations/audit/{row.pk}/",
    ):
        response = admin.get(url)
        page = body(response)
        assert response.status_code == 200, url
        assert "<script>alert" not in page and "<script>x" not in page, url
        assert not re.search(r"<img[^>]*onerror", page), url
    assert "&quot;note&quot;: &quot;&lt;script&gt;alert(1)&lt;/script&gt;" in page  # pretty-printed, escaped


def test_each_audit_filter_and_a_rows_detail(workspace, other_workspace, admin):
    now = timezone.now()
    old = AuditLogFactory(workspace_ids=["alpha"], action="workspace.update", actor="user:old")
    AuditLog.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=3))
    AuditLogFactory(workspace_ids=["alpha"], action="membership.add", actor="user:ada", request_id="req-9")
    row = AuditLogFactory(
        workspace_ids=["alpha", "beta"],
        action="workspace.archive",
        actor="user:boss",
        reason="Project ended.",
        metadata={"changed": ["name"], "count": 2},
    )
    AuditLogFactory(workspace_ids=["beta"], action="workspace.restore", actor="user:other")

    def shown(**query) -> set[str]:
        response = admin.get("/app/w/alpha/operations/audit/", query)
        assert response.status_code == 200, query
        return set(re.findall(r'/audit/\d+/">([^<]+)</a>', body(response)))

    assert shown() == {"workspace.update", "membership.add", "workspace.archive"}
    assert shown(action="membership.add") == {"membership.add"}
    assert shown(actor="user:boss") == {"workspace.archive"}
    assert shown(request_id="req-9") == {"membership.add"}
    since = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert shown(since=since) == {"membership.add", "workspace.archive"}
    assert shown(until=since) == {"workspace.update"}
    fragment = body(admin.get("/app/w/alpha/operations/audit/", {"actor": "user:ada"}, HTTP_HX_REQUEST="true"))
    assert fragment.lstrip().startswith('<div id="audit-log-results"') and "1 audit row matches" in fragment
    assert 'name="actor" value="user:ada"' in fragment  # the export form carries the filters
    action_choices = body(admin.get("/app/w/alpha/operations/audit/"))
    assert '<option value="workspace.archive"' in action_choices and "workspace.restore" not in action_choices

    detail = body(admin.get(f"/app/w/alpha/operations/audit/{row.pk}/"))
    assert "Project ended." in detail and "user:boss" in detail
    assert "{\n  &quot;changed&quot;: [\n    &quot;name&quot;\n  ],\n  &quot;count&quot;: 2\n}" in detail


def test_export_from_the_list_creates_a_job_with_its_filters_and_the_download_streams_the_file(
    workspace, admin, committed
):
    ChatLogFactory(workspace=workspace, question="Why are pods pending?", refused=True, refusal_reason="unsafe")
    ChatLogFactory(workspace=workspace, question="How do pods restart?")
    ChatLogFactory(workspace=workspace, question="Unrelated?")
    form = {"export_type": "chat_logs", "format": "jsonl", "q": "pods", "refused": "false", "rating": ""}
    with committed():
        response = admin.post("/app/w/alpha/operations/exports/new/", form)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/app/w/alpha/operations/exports/{job.pk}/"
    assert job.filters == {"q": "pods", "refused": False} and job.actor.startswith("user:")
    assert AuditLog.objects.filter(action="export_job.create", workspace_ids=["alpha"]).exists()
    job.refresh_from_db()
    assert job.status == ExportStatus.SUCCEEDED, job.error
    panel = body(admin.get(f"/app/w/alpha/operations/exports/{job.pk}/"))
    assert "Succeeded" in panel and "every 2s" not in panel and "/download/" in panel

    download = admin.get(f"/app/w/alpha/operations/exports/{job.pk}/download/")
    assert download.status_code == 200 and download.streaming
    assert download["Content-Disposition"] == f'attachment; filename="chat_logs-{job.pk}.jsonl"'
    rows = [json.loads(line) for line in b"".join(download.streaming_content).decode().splitlines()]
    assert [row["question"] for row in rows] == ["How do pods restart?"]


def test_an_htmx_export_answers_a_panel_that_polls_until_the_job_settles(workspace, admin):
    form = {"export_type": "audit_logs", "format": "csv", "action": "workspace.update"}
    response = admin.post("/app/w/alpha/operations/exports/new/", form, HTTP_HX_REQUEST="true")
    job = ExportJob.objects.get()
    panel = body(response)
    assert response.status_code == 200 and panel.lstrip().startswith('<div id="export-job"')
    assert 'hx-trigger="every 2s"' in panel and "Pending" in panel and job.filters == {"action": "workspace.update"}
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error="OperationalError: gone")
    failed = body(admin.get(f"/app/w/alpha/operations/exports/{job.pk}/", HTTP_HX_REQUEST="true"))
    assert "every 2s" not in failed and "OperationalError: gone" in failed and "Retry" in failed
    retried = body(admin.post(f"/app/w/alpha/operations/exports/{job.pk}/retry/", HTTP_HX_REQUEST="true"))
    assert "every 2s" in retried and ExportJob.objects.get(pk=job.pk).status == ExportStatus.PENDING


def test_the_export_list_polls_while_a_job_runs_and_stops_once_all_are_settled(workspace, admin):
    running = ExportJobFactory(workspace=workspace, running=True)
    ExportJobFactory(workspace=workspace, failed=True)
    assert 'hx-trigger="every 2s"' in body(admin.get("/app/w/alpha/operations/exports/"))
    ExportJob.objects.filter(pk=running.pk).update(status=ExportStatus.SUCCEEDED, file_path="x.jsonl", file_size=10)
    settled = body(admin.get("/app/w/alpha/operations/exports/", HTTP_HX_REQUEST="true"))
    assert "every 2s" not in settled and "Download" in settled and "OperationalError" in settled


def test_bad_export_requests_are_refused_without_a_job(workspace, admin):
    assert admin.post("/app/w/alpha/operations/exports/new/", {"export_type": "passwords"}).status_code == 400
    bad_filter = admin.post(
        "/app/w/alpha/operations/exports/new/", {"export_type": "chat_logs", "format": "csv", "since": "soon"}
    )
    assert bad_filter.status_code == 400 and bad_filter["Content-Type"].startswith("text/html")
    assert not ExportJob.objects.exists()


def test_a_download_before_success_or_after_retention_is_refused(workspace, admin):
    pending = ExportJobFactory(workspace=workspace)
    deleted = ExportJobFactory(workspace=workspace, succeeded=True, file_deleted_at=timezone.now())
    assert admin.get(f"/app/w/alpha/operations/exports/{pending.pk}/download/").status_code == 409
    assert admin.get(f"/app/w/alpha/operations/exports/{deleted.pk}/download/").status_code == 404
    assert "deleted after its retention period" in body(admin.get(f"/app/w/alpha/operations/exports/{deleted.pk}/"))


def test_forms_without_a_csrf_token_are_rejected(workspace):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True))
    failed = ExportJobFactory(workspace=workspace, failed=True)
    response = client.post("/app/w/alpha/operations/exports/new/", {"export_type": "chat_logs", "format": "csv"})
    assert response.status_code == 403 and b"CSRF" in response.content
    assert client.post(f"/app/w/alpha/operations/exports/{failed.pk}/retry/").status_code == 403
    assert ExportJob.objects.count() == 1 and ExportJob.objects.get().status == ExportStatus.FAILED


def test_an_archived_workspace_is_readable_but_makes_no_exports(workspace, admin):
    ChatLogFactory(workspace=workspace)
    workspace.archived_at = timezone.now()
    workspace.save()
    page = body(admin.get("/app/w/alpha/operations/chat-logs/"))
    assert "archived" in page and re.search(r"<button[^>]*disabled[^>]*>Export</button>", page)
    response = admin.post("/app/w/alpha/operations/exports/new/", {"export_type": "chat_logs", "format": "csv"})
    assert response.status_code == 409 and not ExportJob.objects.exists()


def test_a_thumbs_down_answer_becomes_an_evaluation_question(workspace, admin, person):
    from chat.tests.factories import ChatLogFactory
    from documents.tests.factories import DocumentFactory
    from retrieval.models import EvaluationQuestion

    document = DocumentFactory(workspace=workspace, title="Rollback")
    log = ChatLogFactory(workspace=workspace, question="How do I undo a release?", rating="down")
    page = f"/app/w/alpha/operations/chat-logs/{log.pk}/"
    body = admin.get(page).content.decode()
    assert "Make it an evaluation question" in body and "The asker found this answer not helpful" in body
    assert 'value="How do I undo a release?"' in body or "How do I undo a release?</textarea>" in body

    missing = admin.post(f"{page}question/", {"evaluation_set": "Feedback", "query": "How do I undo a release?"})
    assert missing.status_code == 400 and not EvaluationQuestion.objects.exists()
    added = admin.post(
        f"{page}question/",
        {"evaluation_set": "Feedback", "query": "How do I undo a release?", "documents": [str(document.pk)]},
    )
    question = EvaluationQuestion.objects.get()
    assert added.status_code == 302 and added["Location"].endswith(f"/evaluation/{question.evaluation_set_id}/")
    assert question.source == "feedback" and question.origin == f"chat log {log.pk}"
    assert [judgement.document for judgement in question.judgements.all()] == [document]
    assert person(workspace, Role.EDITOR).post(f"{page}question/", {}).status_code == 403
