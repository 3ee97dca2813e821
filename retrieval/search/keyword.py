"""The keyword leg: Okapi BM25 over PostgreSQL's own lexemes, scored in SQL.

Any query lexeme may match (an OR tsquery through the GIN index finds the
candidates); requiring every term, as websearch_to_tsquery does, fails long
questions. Term frequencies per chunk and document frequencies per workspace
are kept at indexing time (see documents.services and the retrieval triggers).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection

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
    filter_sql, params = filters.sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH query_lexemes AS (
                SELECT DISTINCT lexeme FROM unnest(to_tsvector(%(language)s::regconfig, %(query)s))
            ),
            corpus AS (
                SELECT chunk_count AS n, greatest(total_length::float / nullif(chunk_count, 0), 1) AS avg_length
                  FROM retrieval_corpusstat WHERE workspace_id = %(workspace_id)s
            ),
            weighted_lexemes AS (
                SELECT t.lexeme, ln(1 + (corpus.n - t.df + 0.5) / (t.df + 0.5)) AS idf
                  FROM retrieval_termstat AS t
                  JOIN query_lexemes AS q ON q.lexeme = t.lexeme
                 CROSS JOIN corpus
                 WHERE t.workspace_id = %(workspace_id)s AND t.df > 0
            ),
            -- term_freqs is stored compressed once a chunk has a few hundred lexemes, and
            -- scoring reads it once per query lexeme: a copy made here (a concatenation) is
            -- decompressed once per candidate instead, which halves this query's time.
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
            """,  # noqa: S608  (filter_sql is built from fixed fragments; values are parameters)
            {
                "language": language,
                "query": query,
                "workspace_id": workspace_id,
                "k1": settings.BM25_K1,
                "b": settings.BM25_B,
                "limit": limit,
                **params,
            },
        )
        return [KeywordHit(chunk_id, float(score)) for chunk_id, score in cursor.fetchall()]
