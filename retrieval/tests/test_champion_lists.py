"""The keyword leg's champion lists: kept exact by the triggers, and read so that the search
returns what exact BM25 returns, in its workspace, under its filters, for completed documents.

Lists are capped at 4 chunks here (retrieval_champion_cap(), replaced inside the test's
transaction) and the search reads 12 postings, so a corpus of a few dozen chunks is pruned
as a large workspace is.
"""

import random

import pytest
from django.db import connection

from documents.models import Document, DocumentStatus
from retrieval.search.filters import SearchFilters
from retrieval.search.keyword import exact_keyword_search, keyword_search
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

CAP = 4
WORDS = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa",
]  # fmt: skip
QUERIES = ["alpha bravo charlie", "delta echo golf kilo", "mike november oscar papa india", "hotel juliet lima"]


@pytest.fixture
def small_cap(settings):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION retrieval_champion_cap() RETURNS integer LANGUAGE sql IMMUTABLE"
            f" AS $$ SELECT {CAP} $$"
        )
    settings.KEYWORD_POSTINGS_BUDGET = 12


def texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(WORDS[: rng.randint(6, len(WORDS))]) for _ in range(rng.randint(3, 30)))
        for _ in range(count)
    ]


@pytest.fixture
def corpus(workspace, ingest, small_cap):
    return [
        ingest(workspace, text, source_uri=f"doc-{number}.md", metadata={"tags": ["odd" if number % 2 else "even"]})
        for number, text in enumerate(texts(40, seed=3))
    ]


def lists(workspace) -> dict[str, tuple[list[int], int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme, champion_chunks, df FROM retrieval_termstat WHERE workspace_id = %s", [workspace.pk]
        )
        return {lexeme: (chunks, df) for lexeme, chunks, df in cursor.fetchall()}


def rebuilt(workspace, lexeme: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ids FROM retrieval_champion_fill(%s, %s)", [workspace.pk, lexeme])
        return cursor.fetchone()[0]


def assert_lists_exact(workspace):
    """Every list is the first chunks of its lexeme in impact order, no fewer than half the cap (or df)."""
    for lexeme, (chunks, df) in lists(workspace).items():
        best = rebuilt(workspace, lexeme)
        assert len(best) == min(df, CAP), lexeme
        assert chunks == best[: len(chunks)], lexeme
        assert len(chunks) >= min(df, CAP // 2), lexeme


def search(workspace, query, filters=None, limit=10, exact=False):
    filters = filters or SearchFilters()
    function = exact_keyword_search if exact else keyword_search
    return [
        (hit.chunk_id, round(hit.bm25, 9))
        for hit in function(workspace_id=workspace.pk, query=query, language="english", filters=filters, limit=limit)
    ]


def test_lists_stay_exact_through_inserts_reindexing_and_deletes(workspace, corpus, ingest):
    assert any(df > CAP for _, df in lists(workspace).values())  # the lists really are cut
    assert_lists_exact(workspace)
    for number, text in enumerate(texts(6, seed=11)):  # new chunks, and edited documents re-indexed
        ingest(workspace, text + " alpha alpha alpha", source_uri=f"doc-{number}.md")
    assert_lists_exact(workspace)
    for document in Document.objects.filter(workspace=workspace)[:5]:  # one by one
        document.delete()
    assert_lists_exact(workspace)
    Document.objects.filter(pk__in=Document.objects.filter(workspace=workspace).values("pk")[:20]).delete()  # at once
    assert_lists_exact(workspace)
    Document.objects.filter(workspace=workspace).delete()
    assert lists(workspace) == {}


def test_a_list_that_lost_its_best_chunks_is_read_again(workspace, corpus):
    chunks, df = lists(workspace)["alpha"]
    assert len(chunks) == CAP < df
    Document.objects.filter(chunks__id__in=chunks[:3]).delete()  # leaves one: below half the cap
    chunks, df = lists(workspace)["alpha"]
    assert len(chunks) == min(CAP, df) and chunks == rebuilt(workspace, "alpha")


def test_pruned_search_returns_the_top_rows_of_exact_bm25(workspace, corpus):
    for query in QUERIES:
        exact = search(workspace, query, limit=100, exact=True)
        assert len(exact) > 12  # more matching chunks than the search reads
        pruned = search(workspace, query, limit=10)
        assert pruned[:3] == exact[:3], query
        # Whatever it returns is scored exactly, in the order score DESC, id.
        scores = dict(exact)
        assert all(scores[chunk_id] == score for chunk_id, score in pruned)
        assert pruned == sorted(pruned, key=lambda row: (-row[1], row[0]))


def test_complete_lists_within_the_budget_are_exact_bm25(workspace, ingest, settings):
    for number, text in enumerate(texts(12, seed=5)):
        ingest(workspace, text, source_uri=f"doc-{number}.md")
    settings.KEYWORD_POSTINGS_BUDGET = 10_000
    for query in QUERIES:
        assert search(workspace, query, limit=100) == search(workspace, query, limit=100, exact=True)


def test_no_row_of_another_workspace(workspace, corpus, ingest):
    other = WorkspaceFactory(id="gamma", name="Gamma")
    for number, text in enumerate(texts(40, seed=3)):  # the same texts: the same impacts
        ingest(other, text + " alpha", source_uri=f"doc-{number}.md")
    own = set(Document.objects.filter(workspace=workspace).values_list("chunks__id", flat=True))
    theirs = set(Document.objects.filter(workspace=other).values_list("chunks__id", flat=True))
    for lexeme, (chunks, _) in lists(workspace).items():
        assert set(chunks) <= own, lexeme
    for query in QUERIES:
        assert {chunk_id for chunk_id, _ in search(workspace, query, limit=100)} <= own
        assert {chunk_id for chunk_id, _ in search(other, query, limit=100)} <= theirs


def test_filters_still_fill_the_limit_and_match_exact_bm25(workspace, corpus):
    odd = {document.pk for document in corpus[1::2]}
    few = SearchFilters(document_ids=tuple(list(odd)[:3]))
    tagged = SearchFilters(tags=("odd",))
    for query in QUERIES:
        for filters in (few, tagged):
            pruned = search(workspace, query, filters=filters, limit=10)
            exact = search(workspace, query, filters=filters, limit=10, exact=True)
            assert pruned[:3] == exact[:3] and len(pruned) == len(exact), (query, filters)
        rows = search(workspace, query, filters=tagged, limit=10)
        documents = set(Document.objects.filter(chunks__id__in=[row[0] for row in rows]).values_list("pk", flat=True))
        assert documents <= odd


def test_only_completed_and_live_documents(workspace, corpus):
    best = search(workspace, "alpha", limit=3)
    hidden, deleted = (Document.objects.get(chunks__id=chunk_id) for chunk_id, _ in best[:2])
    Document.objects.filter(pk=hidden.pk).update(status=DocumentStatus.PROCESSING)
    deleted.delete()
    for limit in (1, 10, 100):
        rows = {chunk_id for chunk_id, _ in search(workspace, "alpha", limit=limit)}
        assert len(rows) == min(limit, len(search(workspace, "alpha", limit=100, exact=True)))
        assert best[0][0] not in rows and best[1][0] not in rows
