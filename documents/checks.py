"""The chunk table's vector column against EMBEDDING_DIMENSION."""

from django.conf import settings
from django.core import checks
from django.db import connection


@checks.register(checks.Tags.database)
def check_vector_column(app_configs=None, databases=None, **kwargs):
    """The chunk table's vector column holds EMBEDDING_DIMENSION numbers (run by migrate and
    `check --database default`)."""
    if not databases or "default" not in databases:
        return []
    problem = vector_column_problem()
    return [checks.Error(problem, id="retrieval.E005")] if problem else []


def vector_column_problem() -> str:
    """What is wrong between EMBEDDING_DIMENSION and the database's vector column ("" when nothing)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT atttypmod FROM pg_attribute "
                "WHERE attrelid = to_regclass('documents_chunk') AND attname = 'embedding' AND NOT attisdropped"
            )
            row = cursor.fetchone()
    except Exception:  # no database yet: other checks and /health report that
        return ""
    if row is None or row[0] <= 0 or row[0] == settings.EMBEDDING_DIMENSION:
        return ""
    return (
        f"EMBEDDING_DIMENSION is {settings.EMBEDDING_DIMENSION} but the chunk table's vector column holds "
        f"{row[0]}-dimensional vectors: change EMBEDDING_DIMENSION back, or use a fresh database for this model."
    )
