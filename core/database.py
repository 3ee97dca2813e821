"""Which database connection search reads from: the read replica when one is configured.

With DATABASE_REPLICA_URL set, DATABASES has a `replica` alias (a streaming replica of
`default`, or any read-only copy of it) and `core.routers.SearchReplicaRouter` is enabled.
Search is read-only and is most of the database's work under load, so it can run there and
leave the primary to writes. Everything else, writes above all, stays on `default`.

The search legs run raw SQL, so they take their cursor from `search_connection()` (and the
search's transaction is opened on `search_alias()`: the vector leg's settings are SET LOCAL);
ORM reads made inside `search_reads()` are routed to the same alias, so a search's rows all
come from one database. A replica lags the primary by its replication delay: a document just
indexed may be found a moment later there than on the primary.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_ALIAS = "replica"

_searching: ContextVar[bool] = ContextVar("core_database_searching", default=False)


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


def search_alias() -> str:
    """`replica` when it is configured, else `default`."""
    return REPLICA_ALIAS if replica_configured() else DEFAULT_DB_ALIAS


def search_connection():
    """The connection the search legs' raw SQL runs on: `connections["replica"]` or `connection`."""
    return connections[search_alias()]


@contextmanager
def search_reads() -> Iterator[str]:
    """Inside it, the router sends ORM reads to the search alias (yielded); writes still go to default."""
    token = _searching.set(True)
    try:
        yield search_alias()
    finally:
        _searching.reset(token)


def reading_for_search() -> bool:
    return _searching.get()
