"""`manage.py backup` and `restore`: after a restore, search returns what it returned at the backup,
whether the database was changed since or emptied, and the BM25 statistics are exact."""

from dataclasses import asdict

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from documents.indexing import documents_index
from documents.models import Chunk, Document
from documents.services import document_upsert
from retrieval.models import CorpusStat, TermStat
from retrieval.pipeline import search_chunks
from testing.fixtures import RUNBOOK
from testing.processes import database_url_for_current_connection
from workspaces.models import Workspace
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)

DOCUMENTS = {
    "runbook.md": RUNBOOK,
    "sync.md": "# Sync waves\n\nWaves order the sync of resources; hooks run before a sync.\n\n"
    "## Pruning\n\nPruning deletes resources that are no longer in Git.",
    "health.md": "# Health\n\nA resource is healthy when its controller reports it ready.\n\n"
    "## Degraded\n\nA degraded application has a failing resource; roll it back.",
    "cooking.md": "# Bread\n\nKnead the dough, let it rise, and bake it for forty minutes.",
}
QUERIES = ["how do I roll back a deployment", "sync waves and hooks", "degraded health", "bake bread"]


@pytest.fixture
def workspaces():
    """Two workspaces of indexed documents (BM25 statistics are per workspace)."""
    made = []
    for workspace_id, names in (("backup-a", ["runbook.md", "sync.md", "health.md"]), ("backup-b", ["cooking.md"])):
        workspace = WorkspaceFactory(id=workspace_id)
        ids = [
            document_upsert(workspace=workspace, content=DOCUMENTS[name], source_uri=name).document.pk for name in names
        ]
        documents_index(document_ids=ids)
        made.append(workspace)
    return made


def searches(workspaces) -> dict:
    """Every query in every mode and workspace: each result's chunk, document, rank and scores."""
    answers = {}
    for workspace in Workspace.objects.filter(pk__in=[w.pk for w in workspaces]).order_by("pk"):
        for query in QUERIES:
            for mode in ("hybrid", "vector", "keyword"):
                outcome = search_chunks(workspace=workspace, query=query, limit=10, mode=mode)
                answers[workspace.pk, query, mode] = [
                    (result.chunk.pk, str(result.chunk.document_id), result.rank, asdict(result.scores))
                    for result in outcome.results
                ]
    return answers


def assert_same_searches(after: dict, before: dict) -> None:
    assert after.keys() == before.keys()
    for key, results in before.items():
        assert [row[:3] for row in after[key]] == [row[:3] for row in results], key
        for (*_, scores_after), (*_, scores_before) in zip(after[key], results, strict=True):
            assert scores_after.keys() == scores_before.keys()
            for stage, score in scores_before.items():  # ranks exact, scores within float tolerance
                assert scores_after[stage] == (score if score is None else pytest.approx(score, rel=1e-9)), key


def bm25_statistics() -> tuple:
    return (
        sorted(TermStat.objects.values_list("workspace_id", "lexeme", "df")),
        sorted(CorpusStat.objects.values_list("workspace_id", "chunk_count", "total_length")),
    )


def bm25_recount() -> tuple:
    """The statistics counted afresh from the chunks, as the triggers should have kept them."""
    df, corpus = {}, {}
    for chunk in Chunk.objects.exclude(term_freqs=None):
        count, length = corpus.get(chunk.workspace_id, (0, 0))
        corpus[chunk.workspace_id] = (count + 1, length + chunk.term_count)
        for lexeme in chunk.term_freqs:
            df[chunk.workspace_id, lexeme] = df.get((chunk.workspace_id, lexeme), 0) + 1
    return (
        sorted((workspace, lexeme, n) for (workspace, lexeme), n in df.items()),
        sorted((workspace, count, length) for workspace, (count, length) in corpus.items()),
    )


@pytest.fixture(autouse=True)
def no_other_sessions():
    """Earlier tests may leave connections open in other threads of this process (sync_to_async
    workers): for a restore they are "other sessions", so they are ended first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )


@pytest.fixture
def backed_up(workspaces, tmp_path):
    """The searches and statistics at the time of a backup, and the backup."""
    before = searches(workspaces), bm25_statistics()
    assert sum(map(len, before[0].values())) > 20 and before[1] == bm25_recount()
    archive = tmp_path / "site.dump"
    call_command("backup", output=archive)
    assert archive.stat().st_size > 0 and not list(tmp_path.glob(".*partial"))
    return workspaces, archive, before


def test_restore_over_a_changed_database_brings_back_the_same_results(backed_up):
    workspaces, archive, (searched, statistics) = backed_up
    Document.objects.get(source_uri="sync.md").delete()
    documents_index(
        document_ids=[
            document_upsert(
                workspace=workspaces[0], content="# Hooks\n\nA sync hook runs first.", source_uri="new.md"
            ).document.pk
        ]
    )
    assert searches(workspaces) != searched

    call_command("restore", archive, interactive=False)

    assert_same_searches(searches(workspaces), searched)
    assert bm25_statistics() == statistics == bm25_recount()
    assert not Document.objects.filter(source_uri="new.md").exists()


def test_restore_into_an_empty_database(backed_up):
    workspaces, archive, (searched, statistics) = backed_up
    with connection.cursor() as cursor:  # everything gone, the vector extension too
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'vector'")
        assert cursor.fetchone()[0] == 0

    call_command("restore", archive, interactive=False)

    assert_same_searches(searches(workspaces), searched)
    assert bm25_statistics() == statistics == bm25_recount()
    # The triggers came back too: a new write keeps the statistics exact.
    Document.objects.get(source_uri="health.md").delete()
    assert bm25_statistics() == bm25_recount() != statistics


def test_restore_refuses_while_another_session_is_connected(backed_up):
    workspaces, archive, (searched, _) = backed_up
    Document.objects.get(source_uri="sync.md").delete()
    with psycopg.connect(database_url_for_current_connection()):  # a web server still running
        with pytest.raises(CommandError, match="1 other session"):
            call_command("restore", archive, interactive=False)
        assert not Document.objects.filter(source_uri="sync.md").exists()  # untouched
        call_command("restore", archive, interactive=False, force=True)
    assert_same_searches(searches(workspaces), searched)


def test_a_file_that_is_not_a_backup_changes_nothing(tmp_path, workspaces):
    not_an_archive = tmp_path / "notes.dump"
    not_an_archive.write_text("not a pg_dump archive")
    before = searches(workspaces)
    with pytest.raises(CommandError, match="pg_restore failed"):
        call_command("restore", not_an_archive, interactive=False)
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", tmp_path / "missing.dump", interactive=False)
    assert searches(workspaces) == before
