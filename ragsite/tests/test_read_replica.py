"""The read replica: search reads from it when it is configured, everything else (writes above all) from default."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, router, transaction
from django.test import override_settings

from core.database import REPLICA_ALIAS, search_alias, search_connection, search_reads
from core.routers import SearchReplicaRouter
from ragsite.settings.base import database_routers, database_settings
from workspaces.models import Workspace

BASE_DIR = Path(__file__).resolve().parents[2]
ROUTERS = ["core.routers.SearchReplicaRouter"]


class RolledBack(Exception):
    pass


@pytest.fixture
def replica(django_db_setup, django_db_blocker):
    """A `replica` alias pointing at the test database (as a streaming replica holds the same rows).

    Added after the test databases are set up, so outside a Django test case (which forbids
    aliases it was not told about): the test commits nothing (its one write is rolled back).
    """
    django_db_blocker.unblock()
    replica_settings = {**connections[DEFAULT_DB_ALIAS].settings_dict, "TEST": {"MIRROR": DEFAULT_DB_ALIAS}}
    replica_settings["OPTIONS"] = {**replica_settings.get("OPTIONS", {})}
    replica_settings["OPTIONS"].pop("pool", None)  # a plain connection is enough here
    settings.DATABASES[REPLICA_ALIAS] = replica_settings
    connections.settings[REPLICA_ALIAS] = replica_settings
    try:
        with override_settings(DATABASE_ROUTERS=ROUTERS):
            yield connections[REPLICA_ALIAS]
    finally:
        connections[REPLICA_ALIAS].close()
        del connections[REPLICA_ALIAS]
        connections.settings.pop(REPLICA_ALIAS, None)
        settings.DATABASES.pop(REPLICA_ALIAS, None)
        django_db_blocker.restore()


def test_without_a_replica_search_uses_the_default_connection(db):
    assert REPLICA_ALIAS not in settings.DATABASES
    assert search_alias() == DEFAULT_DB_ALIAS
    assert search_connection() is connections[DEFAULT_DB_ALIAS]
    with search_reads():
        assert SearchReplicaRouter().db_for_read(Workspace) == DEFAULT_DB_ALIAS


def test_with_a_replica_search_reads_from_it_and_writes_go_to_default(replica):
    assert search_alias() == REPLICA_ALIAS
    assert search_connection() is connections[REPLICA_ALIAS]
    assert search_connection() is not connection
    # The replica connection reaches a database with the same schema (here the same one).
    with search_connection().cursor() as cursor:
        cursor.execute("SELECT current_database(), to_regclass('documents_chunk') IS NOT NULL")
        name, has_chunks = cursor.fetchone()
    assert name == connection.settings_dict["NAME"]
    assert has_chunks

    # ORM reads: the replica only inside search_reads(); writes always default.
    assert router.db_for_read(Workspace) == DEFAULT_DB_ALIAS
    assert Workspace.objects.all().db == DEFAULT_DB_ALIAS
    with search_reads() as alias:
        assert alias == REPLICA_ALIAS
        assert router.db_for_read(Workspace) == REPLICA_ALIAS
        assert Workspace.objects.all().db == REPLICA_ALIAS
        assert router.db_for_write(Workspace) == DEFAULT_DB_ALIAS
        with pytest.raises(RolledBack), transaction.atomic():
            written = Workspace.objects.create(id="written-in-search", name="W")
            assert written._state.db == DEFAULT_DB_ALIAS
            raise RolledBack
    assert router.db_for_read(Workspace) == DEFAULT_DB_ALIAS
    assert not Workspace.objects.filter(pk="written-in-search").exists()


def test_migrations_run_on_default_only():
    routing = SearchReplicaRouter()
    assert routing.allow_migrate(DEFAULT_DB_ALIAS, "documents") is True
    assert routing.allow_migrate(REPLICA_ALIAS, "documents") is False


def test_the_replica_gets_the_same_options_as_default_and_mirrors_it_under_test(monkeypatch):
    primary = {"ENGINE": "django.db.backends.postgresql", "NAME": "rag", "HOST": "primary", "OPTIONS": {}}
    standby = {**primary, "HOST": "standby"}
    monkeypatch.setenv("DATABASE_POOL", "true")
    monkeypatch.setenv("DATABASE_POOL_MAX_SIZE", "7")
    databases = database_settings(primary, standby)
    assert set(databases) == {"default", "replica"}
    assert databases["replica"]["HOST"] == "standby"
    assert databases["replica"]["OPTIONS"]["pool"] == databases["default"]["OPTIONS"]["pool"]
    assert databases["replica"]["OPTIONS"]["pool"]["max_size"] == 7
    assert databases["replica"]["CONN_MAX_AGE"] == databases["default"]["CONN_MAX_AGE"] == 0
    assert databases["replica"]["TEST"] == {"MIRROR": "default"}
    assert database_routers(databases) == ROUTERS
    assert set(database_settings(primary)) == {"default"}
    assert database_routers(database_settings(primary)) == []


def test_production_settings_enable_the_router_with_database_replica_url():
    script = (
        "import json; from django.conf import settings; "
        "databases = settings.DATABASES; "
        "print(json.dumps([sorted(databases), databases['replica']['HOST'], settings.DATABASE_ROUTERS]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ragsite.settings.production",
        "DATABASE_URL": "postgres://rag:rag@primary:5432/rag",
        "DATABASE_REPLICA_URL": "postgres://rag:rag@standby:5432/rag",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [["default", "replica"], "standby", ROUTERS]
