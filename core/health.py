from django.db import connection


def database_problem() -> str:
    """What keeps the database from serving ("" when nothing): unreachable, or pgvector missing."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            if cursor.fetchone() is None:
                return "the pgvector extension is not installed (run migrations)"
    except Exception as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return ""
