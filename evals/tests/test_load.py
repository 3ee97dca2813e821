"""The load test (`make load`) kept working: its counting against a stub, and a short run of a few
clients against a real web server and worker started as the command starts them."""

import asyncio
import concurrent.futures
import json

import httpx2
import pytest
from django.conf import settings

from evals.load import LoadReport, report_lines, run_load
from evals.load_target import WorkspaceInUse, load_api_key, load_workspace, local_site
from testing.processes import process_environment
from workspaces.models import Workspace
from workspaces.tests.factories import WorkspaceFactory


def stub_server(*, chat_status: int = 200) -> httpx2.MockTransport:
    """Answers like the API, except /chat with `chat_status`."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        path = request.url.path
        if path == "/search":
            return httpx2.Response(200, json={"results": [{"chunk_id": "c1"}]})
        if path == "/chat":
            return httpx2.Response(chat_status, json={"answer": "It syncs [1].", "refused": False})
        if path == "/chat/stream":
            return httpx2.Response(200, text="event: meta\ndata: {}\n\nevent: done\ndata: {}\n\n")
        if path == "/documents" and request.method == "POST":
            return httpx2.Response(202, json={"id": json.loads(request.content)["source_uri"]})
        return httpx2.Response(200, json={"status": "completed"})

    return httpx2.MockTransport(answer)


def run_in_own_loop(coroutine):
    """asyncio.run in a thread of its own: a browser test's Playwright keeps an event loop in this one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def stub_run(transport: httpx2.MockTransport):
    return run_in_own_loop(
        run_load(
            base_url="http://stub", api_key="k", workspace_id="w", clients=3, duration_seconds=0.3, transport=transport
        )
    )


def test_every_endpoint_is_counted_and_a_clean_run_is_ok():
    report = stub_run(stub_server())
    assert report.ok
    assert set(report.endpoints) == {"/search", "/chat", "/chat/stream", "POST /documents"}
    assert report.requests == sum(len(result.latencies_ms) for result in report.endpoints.values())
    assert report.uploads == report.endpoints["POST /documents"].requests + 1  # the warm-up's upload too


def test_an_error_status_fails_the_run_and_is_named():
    calls = {"chat": 0}
    answers = stub_server()

    def first_chat_then_500(request):
        if request.url.path == "/chat":
            calls["chat"] += 1
            if calls["chat"] > 1:  # the warm-up's passes
                return httpx2.Response(500, json={"error": {"code": "internal_error"}})
        return answers.handler(request)

    report = stub_run(httpx2.MockTransport(first_chat_then_500))
    assert not report.ok
    assert report.endpoints["/chat"].errors == {"HTTP 500": report.endpoints["/chat"].requests}
    assert report.errors == report.endpoints["/chat"].requests > 0
    assert any(line.startswith("error: /chat: HTTP 500") for line in report_lines(report))


def test_a_failed_warm_up_stops_the_run_before_it_starts():
    with pytest.raises(RuntimeError, match="warming up, /chat failed: HTTP 503"):
        stub_run(stub_server(chat_status=503))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_short_load_against_a_real_server_and_worker(tmp_path):
    samples = settings.BASE_DIR / "samples" / "argocd"
    with (
        load_workspace(workspace_id="load-smoke", paths=[samples]) as workspace,
        load_api_key(workspace=workspace) as api_key,
        local_site(log_dir=tmp_path, env=process_environment()) as (base_url, pid),
    ):
        report = run_in_own_loop(
            run_load(
                base_url=base_url,
                api_key=api_key,
                workspace_id=workspace.pk,
                clients=5,
                duration_seconds=5,
                server_pid=pid,
                index_timeout=60,
            )
        )
    lines = "\n".join(report_lines(report))
    assert report.ok, lines
    assert all(result.requests > 0 for result in report.endpoints.values()), lines
    assert report.uploads > 1 and not report.uploads_not_completed
    assert report.rss_mib("end") > 0


def test_memory_still_growing_over_the_second_half_fails_the_run():
    def report(*rss_kib):
        return LoadReport(clients=1, elapsed_seconds=4, endpoints={}, rss_kib=list(enumerate(rss_kib)))

    assert report(100_000, 300_000, 305_000, 310_000).failures(max_memory_growth_percent=10) == []
    growing = report(100_000, 200_000, 300_000, 400_000)
    assert growing.failures(max_memory_growth_percent=10) == [
        "the server's memory grew 33.3% over the second half (more than 10%)"
    ]


@pytest.mark.django_db
def test_a_workspace_the_load_test_did_not_make_is_never_deleted():
    WorkspaceFactory(id="team-docs", name="Team docs")
    with pytest.raises(WorkspaceInUse), load_workspace(workspace_id="team-docs", paths=[]):
        pass
    assert Workspace.objects.filter(pk="team-docs").exists()
