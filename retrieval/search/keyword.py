"""The keyword leg: Okapi BM25 over PostgreSQL's own lexemes, scored in SQL.

Any query lexeme may match; requiring every term, as websearch_to_tsquery does,
fails long questions. Term frequencies per chunk and document frequencies per
workspace are kept at indexing time (see documents.services and the retrieval
triggers).

Scoring every chunk that shares a lexeme with the query grows with the workspace
(1.5 s at 110,000 chunks). Instead, each lexeme's statistics row also holds its
champion list: the chunks where the lexeme weighs most, best first, at most
retrieval_champion_cap() of them (migration 0004). A search takes the best
KEYWORD_POSTINGS_BUDGET postings of the query's lexemes by idf times impact,
and scores those chunks with exact BM25 over every query lexeme: the cost is
bounded whatever the workspace's size. When every list is complete (each holds
all of its lexeme's chunks) and within the budget, that is exact BM25; otherwise
a chunk that is in no list's best postings is not found, which on SciFact moves
nDCG@10 by less than 0.005. Filters and the `completed` rule apply to the
candidates; if they leave fewer than `limit` rows from incomplete lists, every
matching chunk is scored (exact_keyword_search), so a filtered search still fills
its limit.
"""

from dataclasses import dataclass

from django.conf import settings

from core.database import search_connection
from retrieval.search.filters import SearchFilters


@dataclass(frozen=True)
class KeywordHit:
    chunk_id: int
    bm25: float


def keyword_search(
    *, workspace_id: str, query: str, language: str, filters: SearchFilters, limit: int
) -> list[KeywordHit]:
    """Chunks ranked by BM25 against the query's lexemes, best first.

    Whatever model embedded a document, its words are comparable: documents
    awaiting reindex after a model change are still found here.
    """
    hits, exhaustive = _champion_search(
        workspace_id=workspace_id, query=query, language=language, filters=filters, limit=limit
    )
    if len(hits) < limit and not exhaustive:
        return exact_keyword_search(
            workspace_id=workspace_id, query=query, language=language, filters=filters, limit=limit
        )
    return hits


# The query's lexemes with their idf and champion lists, and the workspace's N and average length.
_TERMS_SQL = """
    WITH query_lexemes AS (
        SELECT DISTINCT lexeme FROM unnest(to_tsvector(%(language)s::regconfig, %(query)s))
    ),
    corpus AS (
        SELECT chunk_count AS n, greatest(total_length::float / nullif(chunk_count, 0), 1) AS avg_length
          FROM retrieval_corpusstat WHERE workspace_id = %(workspace_id)s
    ),
    weighted_lexemes AS MATERIALIZED (
        SELECT t.lexeme, t.df, ln(1 + (corpus.n - t.df + 0.5) / (t.df + 0.5)) AS idf, {lists}
          FROM retrieval_termstat AS t
          JOIN query_lexemes AS q ON q.lexeme = t.lexeme
         CROSS JOIN corpus
         WHERE t.workspace_id = %(workspace_id)s AND t.df > 0
    )
"""

# BM25 of the candidates over every query lexeme. term_freqs is stored compressed once a chunk
# has a few hundred lexemes, and scoring reads it once per query lexeme: a copy made in the
# candidates (a concatenation) is decompressed once per candidate instead.
_SCORE_SQL = """
    SELECT c.id,
           sum(w.idf * tf.value * (%(k1)s + 1)
               / (tf.value + %(k1)s * (1 - %(b)s + %(b)s * c.term_count / corpus.avg_length))) AS score
      FROM candidates AS c
      JOIN weighted_lexemes AS w ON c.term_freqs ? w.lexeme
     CROSS JOIN LATERAL (SELECT (c.term_freqs ->> w.lexeme)::float AS value) AS tf
     CROSS JOIN corpus
     GROUP BY c.id
     ORDER BY score DESC, c.id
     LIMIT %(limit)s
"""


def _champion_search(
    *, workspace_id: str, query: str, language: str, filters: SearchFilters, limit: int
) -> tuple[list[KeywordHit], bool]:
    """The best postings' chunks scored exactly, and whether those were all the matching chunks."""
    filter_sql, params = filters.sql()
    budget = max(settings.KEYWORD_POSTINGS_BUDGET, limit)
    with search_connection().cursor() as cursor:
        cursor.execute(
            _TERMS_SQL.format(lists="t.champion_chunks, t.champion_impacts")  # noqa: S608  (fixed fragments)
            + f""",
            postings AS MATERIALIZED (
                SELECT p.chunk_id
                  FROM weighted_lexemes AS w
                 CROSS JOIN LATERAL unnest(w.champion_chunks, w.champion_impacts) AS p(chunk_id, impact)
                 ORDER BY w.idf * p.impact DESC, p.chunk_id
                 LIMIT %(budget)s
            ),
            exhaustive AS (
                SELECT coalesce(bool_and(cardinality(champion_chunks) >= df), true)
                       AND coalesce(sum(cardinality(champion_chunks)), 0) <= %(budget)s AS complete
                  FROM weighted_lexemes
            ),
            candidates AS MATERIALIZED (
                SELECT c.id, c.term_freqs || '{{}}'::jsonb AS term_freqs, c.term_count
                  FROM (SELECT DISTINCT chunk_id FROM postings) AS p
                  JOIN documents_chunk AS c ON c.id = p.chunk_id
                  JOIN documents_document AS d ON d.id = c.document_id
                 WHERE c.workspace_id = %(workspace_id)s
                   AND d.status = 'completed'
                   {filter_sql}
            ),
            scored AS ({_SCORE_SQL})
            SELECT scored.id, scored.score, exhaustive.complete
              FROM exhaustive LEFT JOIN scored ON true
             ORDER BY scored.score DESC, scored.id
            """,  # noqa: S608  (filter_sql is built from fixed fragments; values are parameters)
            {**_parameters(workspace_id, query, language, limit), "budget": budget, **params},
        )
        rows = cursor.fetchall()
    exhaustive = bool(rows) and bool(rows[0][2])
    return [KeywordHit(chunk_id, float(score)) for chunk_id, score, _ in rows if chunk_id is not None], exhaustive


def exact_keyword_search(
    *, workspace_id: str, query: str, language: str, filters: SearchFilters, limit: int
) -> list[KeywordHit]:
    """BM25 over every chunk that shares a lexeme with the query (an OR tsquery through the GIN index)."""
    filter_sql, params = filters.sql()
    with search_connection().cursor() as cursor:
        cursor.execute(
            _TERMS_SQL.format(lists="NULL AS unused")  # noqa: S608  (fixed fragments)
            + f""",
            candidates AS MATERIALIZED (
                SELECT c.id, c.term_freqs || '{{}}'::jsonb AS term_freqs, c.term_count
                  FROM documents_chunk AS c
                  JOIN documents_document AS d ON d.id = c.document_id
                 WHERE c.workspace_id = %(workspace_id)s
                   AND c.search_vector @@ (
                       SELECT array_to_string(array_agg(quote_literal(lexeme)), ' | ')::tsquery FROM weighted_lexemes)
                   AND d.status = 'completed'
                   {filter_sql}
            )
            {_SCORE_SQL}
            """,  # noqa: S608  (filter_sql is built from fixed fragments; values are parameters)
            {**_parameters(workspace_id, query, language, limit), **params},
        )
        return [KeywordHit(chunk_id, float(score)) for chunk_id, score in cursor.fetchall()]


def _parameters(workspace_id: str, query: str, language: str, limit: int) -> dict:
    return {
        "language": language,
        "query": query,
        "workspace_id": workspace_id,
        "k1": settings.BM25_K1,
        "b": settings.BM25_B,
        "limit": limit,
    }
