"""Keep BM25 statistics exact inside PostgreSQL.

Statement-level triggers on documents_chunk add and subtract each chunk's
lexemes (keys of term_freqs) to the workspace's document frequencies and its
chunk count and total length. Because they run in the writing transaction,
inserts, re-indexing, document deletes and cascades can never leave the
statistics out of step with the chunks, whichever code path wrote them.
"""

from django.db import migrations

ADD_FUNCTION = """
CREATE OR REPLACE FUNCTION retrieval_chunk_stats_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO retrieval_termstat (workspace_id, lexeme, df)
    SELECT n.workspace_id, t.lexeme, count(*)
      FROM new_rows n CROSS JOIN LATERAL jsonb_object_keys(n.term_freqs) AS t(lexeme)
     WHERE n.term_freqs IS NOT NULL
     GROUP BY n.workspace_id, t.lexeme
     ORDER BY n.workspace_id, t.lexeme  -- one lock order for every writer: no deadlocks
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
"""

REMOVE_FUNCTION = """
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

TRIGGERS = """
CREATE TRIGGER chunk_stats_insert AFTER INSERT ON documents_chunk
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION retrieval_chunk_stats_add();
CREATE TRIGGER chunk_stats_delete AFTER DELETE ON documents_chunk
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION retrieval_chunk_stats_remove();
-- On UPDATE the old rows are taken out, then the new rows added (triggers fire in name order).
CREATE TRIGGER chunk_stats_update_1_remove AFTER UPDATE ON documents_chunk
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION retrieval_chunk_stats_remove();
CREATE TRIGGER chunk_stats_update_2_add AFTER UPDATE ON documents_chunk
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION retrieval_chunk_stats_add();
"""

DROP = """
DROP TRIGGER IF EXISTS chunk_stats_insert ON documents_chunk;
DROP TRIGGER IF EXISTS chunk_stats_delete ON documents_chunk;
DROP TRIGGER IF EXISTS chunk_stats_update_1_remove ON documents_chunk;
DROP TRIGGER IF EXISTS chunk_stats_update_2_add ON documents_chunk;
DROP FUNCTION IF EXISTS retrieval_chunk_stats_add();
DROP FUNCTION IF EXISTS retrieval_chunk_stats_remove();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("retrieval", "0001_initial"),
        ("documents", "0002_chunk_term_count_chunk_term_freqs"),
    ]

    operations = [migrations.RunSQL(ADD_FUNCTION + REMOVE_FUNCTION + TRIGGERS, reverse_sql=DROP)]
