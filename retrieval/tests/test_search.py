import math

import pytest
from django.db import connection

from documents.models import Chunk, DocumentStatus
from providers.rerank.base import Reranker
from retrieval.models import CorpusStat, TermStat
from retrieval.pipeline import search_chunks
from retrieval.search.filters import InvalidFilter, SearchFilters
from retrieval.search.fusion import reciprocal_rank_fusion
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

CORPUS = {
    "sync.md": "# Sync waves\n\nSync waves order the sync of resources. Waves run one after another.",
    "hooks.md": "# Resource hooks\n\nHooks run before or after a sync. A hook is a Kubernetes resource.",
    "rbac.md": "# RBAC\n\nRoles grant access to projects and applications.",
    "cooking.md": "# Bread\n\nKnead the dough, let it rise, then bake the bread.",
}


@pytest.fixture
def corpus(workspace, ingest):
    return {name: ingest(workspace, text, source_uri=name) for name, text in CORPUS.items()}


def titles(outcome):
    return [result.chunk.document.source_uri for result in outcome.results]


def lexemes(text: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT lexeme FROM unnest(to_tsvector('english', %s))", [text])
        return [row[0] for row in cursor.fetchall()]


def test_keyword_leg_scores_bm25_exactly(workspace, corpus, settings):
    query = "sync waves resources"
    outcome = search_chunks(workspace=workspace, query=query, mode="keyword", limit=10)
    chunks = list(Chunk.objects.filter(workspace=workspace))
    n = len(chunks)
    avg = sum(chunk.term_count for chunk in chunks) / n
    k1, b = settings.BM25_K1, settings.BM25_B

    def bm25(chunk):
        total = 0.0
        for lexeme in lexemes(query):
            df = sum(1 for other in chunks if lexeme in other.term_freqs)
            tf = chunk.term_freqs.get(lexeme, 0)
            if tf:
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                total += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * chunk.term_count / avg))
        return total

    expected = sorted(((bm25(chunk), chunk.pk) for chunk in chunks if bm25(chunk) > 0), key=lambda x: (-x[0], x[1]))
    assert [result.chunk.pk for result in outcome.results] == [pk for _, pk in expected]
    for result, (score, _) in zip(outcome.results, expected, strict=True):
        assert result.scores.keyword_bm25 == pytest.approx(score, rel=1e-6)
    assert outcome.results[0].scores.keyword_score == 1.0
    assert titles(outcome)[0] == "sync.md"


def test_any_query_term_may_match(workspace, corpus):
    # No document holds every word of this long question; BM25 still finds the right one.
    outcome = search_chunks(
        workspace=workspace, query="how long should I let the dough rise before I bake it?", mode="keyword"
    )
    assert titles(outcome)[0] == "cooking.md"


def test_headings_count_more_than_body_text(workspace, ingest):
    ingest(workspace, "# Deployment\n\nSome notes.", source_uri="heading.md")
    ingest(workspace, "# Notes\n\nSome deployment notes.", source_uri="body.md")
    assert titles(search_chunks(workspace=workspace, query="deployment", mode="keyword"))[0] == "heading.md"


def test_hybrid_fuses_both_legs_and_shows_every_stage(workspace, corpus):
    outcome = search_chunks(workspace=workspace, query="sync waves", limit=3)
    assert titles(outcome)[0] == "sync.md"
    top = outcome.results[0].scores
    assert top.vector_rank == 1 and top.keyword_rank == 1 and top.fused_rank == 1
    assert top.vector_similarity > 0 and top.fused_score > 0
    assert all(result.scores.vector_similarity is not None for result in outcome.results)
    assert [result.rank for result in outcome.results] == [1, 2, 3]
    assert {"embed", "vector", "keyword"} <= set(outcome.timings_ms)


def test_only_completed_documents_of_this_workspace_are_found(workspace, corpus, ingest):
    other = WorkspaceFactory(id="other")
    ingest(other, "# Sync waves\n\nSync waves in another workspace.", source_uri="sync.md")
    corpus["sync.md"].__class__.objects.filter(pk=corpus["sync.md"].pk).update(status=DocumentStatus.PROCESSING)
    outcome = search_chunks(workspace=workspace, query="sync waves", limit=10)
    assert "sync.md" not in titles(outcome)
    assert all(result.chunk.workspace_id == workspace.pk for result in outcome.results)


def test_vectors_of_another_model_are_never_compared(workspace, corpus):
    corpus["sync.md"].__class__.objects.filter(pk=corpus["sync.md"].pk).update(embedding_model="old-model")
    assert "sync.md" not in titles(search_chunks(workspace=workspace, query="sync waves", mode="vector", limit=10))
    # Its words still match: the keyword leg finds it, with no similarity to show.
    (stale,) = [
        result
        for result in search_chunks(workspace=workspace, query="sync waves", limit=10).results
        if result.chunk.document.source_uri == "sync.md"
    ]
    assert stale.scores.keyword_rank == 1 and stale.scores.vector_rank is None
    assert stale.scores.vector_similarity is None
    assert "sync.md" in titles(search_chunks(workspace=workspace, query="sync waves", limit=10, min_similarity=0.5))


def test_filters_apply_inside_both_legs_and_still_fill_the_limit(workspace, ingest):
    for index in range(30):
        ingest(
            workspace,
            f"# Note {index}\n\nA note about sync number {index}.",
            source_uri=f"note-{index}.md",
            metadata={
                "tags": ["even" if index % 2 == 0 else "odd"],
                "evidence_type": "runbook" if index < 5 else "faq",
            },
        )
    for mode in ("vector", "keyword", "hybrid"):
        even = search_chunks(
            workspace=workspace,
            query="sync note",
            limit=10,
            mode=mode,
            filters=SearchFilters(tags=("even",)),
            candidates=10,
        )
        assert len(even.results) == 10, mode
        assert all(result.chunk.document.metadata["tags"] == ["even"] for result in even.results)
        runbooks = search_chunks(
            workspace=workspace,
            query="sync note",
            limit=10,
            mode=mode,
            filters=SearchFilters(evidence_types=("runbook",)),
        )
        assert len(runbooks.results) == 5, mode
    one = search_chunks(
        workspace=workspace,
        query="sync",
        filters=SearchFilters.from_request(filters={"evidence_type": "faq", "tags": ["odd"]}),
    )
    assert {r.chunk.document.metadata["evidence_type"] for r in one.results} == {"faq"}


def test_document_id_filter(workspace, corpus):
    wanted = corpus["rbac.md"]
    outcome = search_chunks(workspace=workspace, query="sync waves", filters=SearchFilters(document_ids=(wanted.pk,)))
    assert titles(outcome) == ["rbac.md"]


def test_min_similarity_drops_weak_results(workspace, corpus):
    everything = search_chunks(workspace=workspace, query="sync waves", limit=10)
    cut = everything.results[0].scores.vector_similarity - 1e-6
    strict = search_chunks(workspace=workspace, query="sync waves", limit=10, min_similarity=cut)
    assert len(everything.results) > 1 and titles(strict) == ["sync.md"]


def test_bm25_statistics_follow_every_write(workspace, corpus, ingest):
    def recomputed():
        df, n, total = {}, 0, 0
        for chunk in Chunk.objects.filter(workspace=workspace):
            n, total = n + 1, total + chunk.term_count
            for lexeme in chunk.term_freqs:
                df[lexeme] = df.get(lexeme, 0) + 1
        return df, n, total

    def stored():
        stat = CorpusStat.objects.get(workspace=workspace)
        return (
            dict(TermStat.objects.filter(workspace=workspace).values_list("lexeme", "df")),
            stat.chunk_count,
            stat.total_length,
        )

    assert stored() == recomputed()
    ingest(workspace, CORPUS["sync.md"] + "\n\n## More\n\nExtra words about pruning.", source_uri="sync.md")
    assert stored() == recomputed()
    corpus["cooking.md"].delete()
    assert stored() == recomputed()
    assert not TermStat.objects.filter(workspace=workspace, lexeme="dough").exists()


def test_rrf_weights_and_constant():
    fused = reciprocal_rank_fusion([([1, 2], 1.0), ([2, 3], 2.0)], k=10)
    assert fused == pytest.approx({1: 1 / 11, 2: 1 / 12 + 2 / 11, 3: 2 / 12})
    assert reciprocal_rank_fusion([([1], 0.0)], k=10) == {}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"filters": {"tags": {"nested": "dict"}}},
        {"filters": {"key": ["list"]}},
        {"filters": {"document_ids": ["nope"]}},
    ],
)
def test_bad_filters_are_refused(kwargs):
    with pytest.raises(InvalidFilter):
        SearchFilters.from_request(**kwargs)


class ReverseAlphabetReranker(Reranker):
    """Scores passages by their text in reverse alphabetical order: easy to predict."""

    provider = "cross-encoder"
    model_name = "reverse-alphabet"

    def load(self):
        return None

    @property
    def is_loaded(self):
        return True

    def rerank(self, query, passages):
        ordered = sorted(passages, reverse=True)
        return [float(len(passages) - ordered.index(passage)) for passage in passages]


@pytest.mark.parametrize("mode", ["replace", "fuse"])
def test_rerank_replaces_or_fuses_the_hybrid_order(workspace, corpus, monkeypatch, settings, mode):
    settings.RERANK_MODE, settings.RERANK_TOP_K = mode, 3
    hybrid = search_chunks(workspace=workspace, query="sync waves resources hooks", rerank=False)
    monkeypatch.setattr("retrieval.pipeline.get_reranker", ReverseAlphabetReranker)

    outcome = search_chunks(workspace=workspace, query="sync waves resources hooks")

    top = [result.chunk.pk for result in hybrid.results[:3]]
    reranked = sorted(top, key=lambda pk: Chunk.objects.get(pk=pk).text, reverse=True)
    assert reranked != top  # or the test would not tell the modes apart
    scores = {result.chunk.pk: result.scores for result in outcome.results}
    assert [scores[pk].rerank_rank for pk in reranked] == [1, 2, 3]
    assert all(scores[pk].rerank_score is not None for pk in top)
    served = [result.chunk.pk for result in outcome.results]
    assert served[3:] == [result.chunk.pk for result in hybrid.results[3:]]  # below the top k: untouched
    if mode == "replace":
        assert served[:3] == reranked
        assert all(scores[pk].rerank_fused_score is None for pk in top)
    else:
        fused = {
            pk: 1 / (settings.RRF_K + top.index(pk) + 1) + 1 / (settings.RRF_K + reranked.index(pk) + 1) for pk in top
        }
        assert served[:3] == sorted(top, key=lambda pk: (-fused[pk], top.index(pk)))
        assert all(scores[pk].rerank_fused_score == pytest.approx(fused[pk]) for pk in top)
