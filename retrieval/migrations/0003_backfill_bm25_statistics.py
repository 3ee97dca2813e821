"""Chunks indexed before BM25 statistics existed get their term frequencies
from the full-text vector they already have (the triggers then count them)."""

from django.conf import settings
from django.db import migrations

BACKFILL = """
UPDATE documents_chunk AS c
   SET term_freqs = coalesce(stats.freqs, '{}'::jsonb), term_count = coalesce(stats.length, 0)
  FROM documents_chunk AS source
 CROSS JOIN LATERAL (
       SELECT jsonb_object_agg(per_lexeme.lexeme, per_lexeme.tf) AS freqs, sum(per_lexeme.tf) AS length
         FROM (SELECT u.lexeme, sum(CASE w WHEN 'A' THEN %s ELSE 1 END) AS tf
                 FROM unnest(source.search_vector) AS u(lexeme, positions, weights)
                CROSS JOIN LATERAL unnest(u.weights) AS w
                GROUP BY u.lexeme) AS per_lexeme
       ) AS stats
 WHERE c.id = source.id AND c.term_freqs IS NULL AND c.search_vector IS NOT NULL
"""


def backfill(apps, schema_editor):
    schema_editor.execute(BACKFILL, [settings.KEYWORD_HEADING_WEIGHT])


class Migration(migrations.Migration):
    dependencies = [("retrieval", "0002_bm25_statistics_triggers")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
