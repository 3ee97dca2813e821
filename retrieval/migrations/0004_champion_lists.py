"""Impact-ordered champion lists, so the keyword leg reads a bounded number of postings per query term.

Each retrieval_termstat row (workspace, lexeme) also holds the lexeme's best chunks, best
first: `champion_chunks` (chunk ids) and `champion_impacts` (their BM25 term impact, see
retrieval_champion_impact), sorted by impact descending, then chunk id. Invariant, kept by
the same statement-level triggers that keep the document frequencies:

    the list is exactly the first L chunks of the workspace containing the lexeme, in that
    order, L <= retrieval_champion_cap(); when L = df the list holds every one of them.

Adding chunks merges their postings into the list (a list shorter than its df only admits
postings that sort before its last entry, so it stays an exact prefix), then cuts it to the
cap. Removing chunks takes theirs out, which leaves a prefix; a list that falls below half
the cap while more chunks hold the lexeme is refilled from the chunks (GIN index) at once.

The impact orders postings within one lexeme's list: BM25's term-frequency part with a fixed
reference length (CHAMPION_REFERENCE_LENGTH), so a posting's place never depends on when it
was written. The keyword leg scores its candidates exactly, with the workspace's current
average length; the reference only decides which chunks are read first.
"""

from django.conf import settings
from django.db import migrations

# A typical chunk's weighted length (SciFact with bge-small's 512-token chunks: 177).
CHAMPION_REFERENCE_LENGTH = 180
CHAMPION_CAP = 256


def functions_sql() -> str:
    k1, b = float(settings.BM25_K1), float(settings.BM25_B)
    return f"""
CREATE OR REPLACE FUNCTION retrieval_champion_cap() RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT {CHAMPION_CAP} $$;

CREATE OR REPLACE FUNCTION retrieval_champion_impact(tf double precision, length double precision)
    RETURNS real LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (tf * ({k1} + 1) / (tf + {k1} * (1 - {b} + {b} * length / {CHAMPION_REFERENCE_LENGTH})))::real
$$;

-- The list after adding postings (sorted or not; ids already in the list are ignored).
CREATE OR REPLACE FUNCTION retrieval_champion_merge(
    old_ids bigint[], old_impacts real[], old_df integer, new_ids bigint[], new_impacts real[],
    OUT ids bigint[], OUT impacts real[]
) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(m.id ORDER BY m.impact DESC, m.id), '{{}}'),
           coalesce(array_agg(m.impact ORDER BY m.impact DESC, m.id), '{{}}')
      FROM (SELECT o.id, o.impact FROM unnest(old_ids, old_impacts) AS o(id, impact)
            UNION ALL
            SELECT n.id, n.impact FROM unnest(new_ids, new_impacts) AS n(id, impact)
             WHERE n.id <> ALL(coalesce(old_ids, '{{}}'))
               AND (cardinality(coalesce(old_ids, '{{}}')) >= old_df  -- the list held every chunk
                    OR (n.impact > old_impacts[cardinality(old_impacts)]
                        OR (n.impact = old_impacts[cardinality(old_impacts)] AND n.id < old_ids[cardinality(old_ids)])))
             ORDER BY 2 DESC, 1
             LIMIT retrieval_champion_cap()) AS m
$$;

-- The list rebuilt from the chunks themselves.
CREATE OR REPLACE FUNCTION retrieval_champion_fill(workspace text, term text, OUT ids bigint[], OUT impacts real[])
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(best.id ORDER BY best.impact DESC, best.id), '{{}}'),
           coalesce(array_agg(best.impact ORDER BY best.impact DESC, best.id), '{{}}')
      FROM (SELECT c.id, retrieval_champion_impact((c.term_freqs ->> term)::float, c.term_count) AS impact
              FROM documents_chunk AS c
             WHERE c.workspace_id = workspace
               AND c.search_vector @@ quote_literal(term)::tsquery
               AND c.term_freqs ? term
             ORDER BY 2 DESC, 1
             LIMIT retrieval_champion_cap()) AS best
$$;

CREATE OR REPLACE FUNCTION retrieval_chunk_stats_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO retrieval_termstat AS ts (workspace_id, lexeme, df, champion_chunks, champion_impacts)
    SELECT p.workspace_id, p.lexeme, count(*),
           (array_agg(p.id ORDER BY p.impact DESC, p.id))[1:retrieval_champion_cap()],
           (array_agg(p.impact ORDER BY p.impact DESC, p.id))[1:retrieval_champion_cap()]
      FROM (SELECT n.workspace_id, n.id, t.key AS lexeme,
                   retrieval_champion_impact(t.value::float8, n.term_count) AS impact
              FROM new_rows n CROSS JOIN LATERAL jsonb_each(n.term_freqs) AS t
             WHERE n.term_freqs IS NOT NULL) AS p
     GROUP BY p.workspace_id, p.lexeme
     ORDER BY p.workspace_id, p.lexeme  -- one lock order for every writer: no deadlocks
    ON CONFLICT (workspace_id, lexeme) DO UPDATE
       SET df = ts.df + EXCLUDED.df,
           (champion_chunks, champion_impacts) = (
               SELECT m.ids, m.impacts FROM retrieval_champion_merge(
                   ts.champion_chunks, ts.champion_impacts, ts.df,
                   EXCLUDED.champion_chunks, EXCLUDED.champion_impacts) AS m);

    INSERT INTO retrieval_corpusstat (workspace_id, chunk_count, total_length)
    SELECT workspace_id, count(*), coalesce(sum(term_count), 0)
      FROM new_rows WHERE term_freqs IS NOT NULL
     GROUP BY workspace_id ORDER BY workspace_id
    ON CONFLICT (workspace_id) DO UPDATE
       SET chunk_count = retrieval_corpusstat.chunk_count + EXCLUDED.chunk_count,
           total_length = retrieval_corpusstat.total_length + EXCLUDED.total_length;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION retrieval_chunk_stats_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A removed chunk can only be in a lexeme's list if the list is complete or the chunk's impact
    -- reaches the list's last one: only those ids are looked for, so removing many chunks costs
    -- about one statistics row per (chunk, lexeme), as counting them does.
    UPDATE retrieval_termstat AS ts
       SET df = ts.df - gone.n,
           champion_chunks = CASE WHEN gone.listed IS NULL THEN ts.champion_chunks ELSE (
               SELECT coalesce(array_agg(u.id ORDER BY u.place), '{{}}')
                 FROM unnest(ts.champion_chunks) WITH ORDINALITY AS u(id, place)
                WHERE u.id <> ALL(gone.listed)) END,
           champion_impacts = CASE WHEN gone.listed IS NULL THEN ts.champion_impacts ELSE (
               SELECT coalesce(array_agg(u.impact ORDER BY u.place), '{{}}')
                 FROM unnest(ts.champion_chunks, ts.champion_impacts) WITH ORDINALITY AS u(id, impact, place)
                WHERE u.id <> ALL(gone.listed)) END
      FROM (SELECT o.workspace_id, t.key AS lexeme, count(*) AS n,
                   array_agg(o.id) FILTER (
                       WHERE cardinality(s.champion_chunks) >= s.df
                          OR retrieval_champion_impact(t.value::float8, o.term_count)
                             >= s.champion_impacts[cardinality(s.champion_impacts)]) AS listed
              FROM old_rows o CROSS JOIN LATERAL jsonb_each(o.term_freqs) AS t
              JOIN retrieval_termstat AS s ON s.workspace_id = o.workspace_id AND s.lexeme = t.key
             WHERE o.term_freqs IS NOT NULL
             GROUP BY o.workspace_id, t.key) AS gone
     WHERE ts.workspace_id = gone.workspace_id AND ts.lexeme = gone.lexeme;

    DELETE FROM retrieval_termstat AS ts
     USING (SELECT DISTINCT o.workspace_id, t.lexeme
              FROM old_rows o CROSS JOIN LATERAL jsonb_object_keys(o.term_freqs) AS t(lexeme)
             WHERE o.term_freqs IS NOT NULL) AS gone
     WHERE ts.workspace_id = gone.workspace_id AND ts.lexeme = gone.lexeme AND ts.df <= 0;

    -- A list that lost most of its chunks while others still hold the lexeme: read it again.
    UPDATE retrieval_termstat AS ts
       SET (champion_chunks, champion_impacts) = (
               SELECT f.ids, f.impacts FROM retrieval_champion_fill(ts.workspace_id, ts.lexeme) AS f)
      FROM (SELECT DISTINCT o.workspace_id, t.lexeme
              FROM old_rows o CROSS JOIN LATERAL jsonb_object_keys(o.term_freqs) AS t(lexeme)
             WHERE o.term_freqs IS NOT NULL) AS gone
     WHERE ts.workspace_id = gone.workspace_id AND ts.lexeme = gone.lexeme
       AND cardinality(ts.champion_chunks) < least(ts.df, retrieval_champion_cap() / 2);

    UPDATE retrieval_corpusstat AS cs
       SET chunk_count = cs.chunk_count - gone.n, total_length = cs.total_length - gone.length
      FROM (SELECT workspace_id, count(*) AS n, coalesce(sum(term_count), 0) AS length
              FROM old_rows WHERE term_freqs IS NOT NULL GROUP BY workspace_id) AS gone
     WHERE cs.workspace_id = gone.workspace_id;
    RETURN NULL;
END $$;
"""  # noqa: S608  (only numbers from the settings and this module are formatted in)


COLUMNS = """
ALTER TABLE retrieval_termstat
    ADD COLUMN champion_chunks bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN champion_impacts real[] NOT NULL DEFAULT '{}';
"""

# Every existing list, from the chunks (the triggers keep them from here on).
BACKFILL = """
UPDATE retrieval_termstat AS ts
   SET (champion_chunks, champion_impacts) = (
       SELECT f.ids, f.impacts FROM retrieval_champion_fill(ts.workspace_id, ts.lexeme) AS f)
"""

# The functions of migration 0002, as they were.
PREVIOUS_FUNCTIONS = """
CREATE OR REPLACE FUNCTION retrieval_chunk_stats_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO retrieval_termstat (workspace_id, lexeme, df)
    SELECT n.workspace_id, t.lexeme, count(*)
      FROM new_rows n CROSS JOIN LATERAL jsonb_object_keys(n.term_freqs) AS t(lexeme)
     WHERE n.term_freqs IS NOT NULL
     GROUP BY n.workspace_id, t.lexeme
     ORDER BY n.workspace_id, t.lexeme
    ON CONFLICT (workspace_id, lexeme) DO UPDATE SET df = retrieval_termstat.df + EXCLUDED.df;

    INSERT INTO retrieval_corpusstat (workspace_id, chunk_count, total_length)
    SELECT workspace_id, count(*), coalesce(sum(term_count), 0)
      FROM new_rows WHERE term_freqs IS NOT NULL
     GROUP BY workspace_id ORDER BY workspace_id
    ON CONFLICT (workspace_id) DO UPDATE
       SET chunk_count = retrieval_corpusstat.chunk_count + EXCLUDED.chunk_count,
           total_length = retrieval_corpusstat.total_length + EXCLUDED.total_length;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION retrieval_chunk_stats_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE retrieval_termstat AS ts SET df = ts.df - gone.n
      FROM (SELECT o.workspace_id, t.lexeme, count(*) AS n
              FROM old_rows o CROSS JOIN LATERAL jsonb_object_keys(o.term_freqs) AS t(lexeme)
             WHERE o.term_freqs IS NOT NULL
             GROUP BY o.workspace_id, t.lexeme) AS gone
     WHERE ts.workspace_id = gone.workspace_id AND ts.lexeme = gone.lexeme;

    DELETE FROM retrieval_termstat AS ts
     USING (SELECT DISTINCT o.workspace_id, t.lexeme
              FROM old_rows o CROSS JOIN LATERAL jsonb_object_keys(o.term_freqs) AS t(lexeme)
             WHERE o.term_freqs IS NOT NULL) AS gone
     WHERE ts.workspace_id = gone.workspace_id AND ts.lexeme = gone.lexeme AND ts.df <= 0;

    UPDATE retrieval_corpusstat AS cs
       SET chunk_count = cs.chunk_count - gone.n, total_length = cs.total_length - gone.length
      FROM (SELECT workspace_id, count(*) AS n, coalesce(sum(term_count), 0) AS length
              FROM old_rows WHERE term_freqs IS NOT NULL GROUP BY workspace_id) AS gone
     WHERE cs.workspace_id = gone.workspace_id;
    RETURN NULL;
END $$;
"""

REVERSE = (
    PREVIOUS_FUNCTIONS
    + """
ALTER TABLE retrieval_termstat DROP COLUMN champion_chunks, DROP COLUMN champion_impacts;
DROP FUNCTION IF EXISTS retrieval_champion_fill(text, text);
DROP FUNCTION IF EXISTS retrieval_champion_merge(bigint[], real[], integer, bigint[], real[]);
DROP FUNCTION IF EXISTS retrieval_champion_impact(double precision, double precision);
DROP FUNCTION IF EXISTS retrieval_champion_cap();
"""
)


def forward(apps, schema_editor):
    schema_editor.execute(COLUMNS)
    schema_editor.execute(functions_sql())
    schema_editor.execute(BACKFILL)


def backward(apps, schema_editor):
    schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("retrieval", "0003_backfill_bm25_statistics")]

    operations = [migrations.RunPython(forward, backward)]
