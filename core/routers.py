"""The database router enabled with a read replica (DATABASE_REPLICA_URL; see core/database.py).

Reads made for a search (inside `core.database.search_reads()`) go to the replica; every other
read and every write go to `default`, so what a request has just written it reads back at once.
Migrations run on `default` only: the replica receives them by replication.
"""

from django.db import DEFAULT_DB_ALIAS

from core.database import REPLICA_ALIAS, reading_for_search, replica_configured

ALIASES = {DEFAULT_DB_ALIAS, REPLICA_ALIAS}


class SearchReplicaRouter:
    def db_for_read(self, model, **hints):
        if reading_for_search() and replica_configured():
            return REPLICA_ALIAS
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The same rows, whichever copy they were read from.
        if obj1._state.db in ALIASES and obj2._state.db in ALIASES:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA_ALIAS
