"""Production refuses to start without its secrets and names them, never their values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from core.checks import check_configuration, raise_on_configuration_errors

ROOT = Path(__file__).resolve().parents[2]


# Nothing is reached at these addresses: the checks only read the settings.
COMPLETE_PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 20 + "a-long-and-random-enough-production-secret-0123456789",
    "DJANGO_ALLOWED_HOSTS": "rag.example.com",
    "API_KEY_PEPPER": "p" * 40,
    "DATABASE_URL": "postgres://rag:secret@db.example.com:5432/rag",
    "REDIS_URL": "redis://redis.example.com:6379/0",
}


def run_with_production_settings(*args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "API_KEY")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "ragsite.settings.production", **env_overrides})
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_without_secrets_fails_and_names_each_setting():
    result = run_with_production_settings("manage.py", "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in output
    assert "DJANGO_ALLOWED_HOSTS is not set" in output
    assert "API_KEY_PEPPER is not set" in output
    assert "Traceback" not in output


def test_check_deploy_names_unsafe_values_without_printing_them():
    weak_secret = "weak-secret-value-xyz"
    result = run_with_production_settings(
        "manage.py",
        "check",
        "--deploy",
        DJANGO_SECRET_KEY=weak_secret,
        DJANGO_ALLOWED_HOSTS="*",
        API_KEYS="dev-key",
        DJANGO_DEBUG="true",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "API_KEYS", "DJANGO_DEBUG"):
        assert name in output
    assert weak_secret not in output


def test_check_deploy_is_clean_with_a_complete_configuration():
    result = run_with_production_settings("manage.py", "check", "--deploy", **COMPLETE_PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_production_without_database_or_redis_refuses_and_starts_no_embedded_service(tmp_path):
    secrets_only = {
        name: COMPLETE_PRODUCTION_ENV[name] for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "API_KEY_PEPPER")
    }
    for command in (["manage.py", "check", "--deploy"], ["-c", "import ragsite.asgi"], ["-c", "import ragsite.wsgi"]):
        result = run_with_production_settings(*command, RAGSITE_DATA_DIR=str(tmp_path), **secrets_only)
        output = result.stdout + result.stderr
        assert result.returncode != 0, command
        assert "DATABASE_URL is not set" in output and "REDIS_URL is not set" in output, output
        assert "Traceback" not in output or "Refusing to start" in output
    assert list(tmp_path.iterdir()) == []  # no embedded PostgreSQL or Redis was started there


@pytest.mark.parametrize(
    "command",
    [
        ["worker", "--pool", "solo", "--without-mingle", "--without-gossip"],
        ["beat", "--schedule", "{tmp_path}/celerybeat-schedule"],
    ],
    ids=["worker", "beat"],
)
def test_celery_refuses_to_start_with_a_broken_configuration(tmp_path, command):
    secrets_only = {name: COMPLETE_PRODUCTION_ENV[name] for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS")}
    data_dir = tmp_path / "data"
    command = [part.format(tmp_path=tmp_path) for part in command]
    result = run_with_production_settings(
        "-m",
        "celery",
        "--workdir",
        str(ROOT),
        "-A",
        "ragsite",
        *command,
        RAGSITE_DATA_DIR=str(data_dir),
        **secrets_only,
    )
    assert result.returncode == 1, result.stderr
    assert "Refusing to start" in result.stderr and "DATABASE_URL is not set" in result.stderr
    assert "Traceback" not in result.stderr  # it stopped on purpose, it did not crash
    assert not data_dir.exists()  # no embedded service was started


def test_asgi_application_refuses_to_start_without_secrets():
    result = run_with_production_settings("-c", "import ragsite.asgi")
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_asgi_application_refuses_to_start_with_a_missing_model():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import ragsite.asgi"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ragsite.settings.local", "EMBEDDING_MODEL": "bge-large-xx"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr
    assert "EMBEDDING_MODEL" in result.stderr and "bge-large-xx" in result.stderr


@override_settings(EMBEDDING_PROVIDER="bogus", API_KEYS=["a"], API_KEY_ROLES=["owner"])
def test_configuration_check_names_bad_settings():
    messages = {message.msg for message in check_configuration()}
    assert "EMBEDDING_PROVIDER has an unknown value." in messages
    assert "API_KEY_ROLES holds an unknown role." in messages
    with pytest.raises(ImproperlyConfigured, match="EMBEDDING_PROVIDER"):
        raise_on_configuration_errors()


def test_every_environment_variable_is_documented_in_env_example():
    import re

    read = set()
    # test.py's own variables only steer the test suite; they are not configuration.
    settings_modules = [path for path in (ROOT / "ragsite" / "settings").glob("*.py") if path.name != "test.py"]
    for path in [*settings_modules, ROOT / "core/management/commands/serve.py"]:
        text = path.read_text()
        read |= set(re.findall(r'env(?:\.\w+)?\("([A-Z0-9_]+)"', text))
        read |= set(re.findall(r'environ\.get\("([A-Z0-9_]+)"', text))
    documented = set(re.findall(r"^# ([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert len(read) > 30
    assert read - documented == set()
