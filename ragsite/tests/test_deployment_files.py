"""The deployment files agree with the code: docker-compose.yml, the Dockerfile, .dockerignore, monitoring/.

There is no Docker daemon where this runs: the files are parsed and checked against the project
(management commands, Celery queues, settings, paths), not run.
"""

import ast
import fnmatch
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

import ragsite.settings.base as base_settings

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text()
DOCKERIGNORE = [
    line.strip()
    for line in (BASE_DIR / ".dockerignore").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]

# Written on other branches; docker-compose.yml already mounts or sets them.
WORKER_METRICS_PORT = "WORKER_METRICS_PORT"
# The four queues of the Celery settings, for settings that name none.
DEFAULT_QUEUES = {"interactive", "bulk", "exports", "maintenance"}
# Set by the image or the environment modules rather than read with env(...).
ENV_VARS_READ_ELSEWHERE = {"DJANGO_SETTINGS_MODULE"}


def app_services() -> dict[str, dict]:
    """The services that run the project's image (they build it)."""
    return {name: service for name, service in SERVICES.items() if "build" in service}


def words(command) -> list[str]:
    if command is None:
        return []
    if isinstance(command, list):
        if command and command[0] in ("CMD", "CMD-SHELL"):
            return words(command[1]) if command[0] == "CMD-SHELL" else command[1:]
        return [str(word) for word in command]
    return shlex.split(command)


def commands() -> list[tuple[str, list[str]]]:
    """(service, words) for every command and health check test in docker-compose.yml."""
    found = []
    for name, service in SERVICES.items():
        found.append((name, words(service.get("command"))))
        found.append((name, words(service.get("healthcheck", {}).get("test"))))
    return [(name, command) for name, command in found if command]


def celery_commands() -> list[tuple[str, list[str]]]:
    """Everything after `celery -A ragsite` (python -m celery or celery, behind nice or not)."""
    found = []
    for name, command in commands():
        for index, word in enumerate(command):
            if word == "celery" and command[index + 1 : index + 3] == ["-A", "ragsite"]:
                found.append((name, command[index + 3 :]))
    return found


def option(arguments: list[str], *names: str) -> str | None:
    for index, word in enumerate(arguments):
        if word in names and index + 1 < len(arguments):
            return arguments[index + 1]
        for name in names:
            if name.startswith("--") and word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def routed_queues() -> set[str]:
    """The queues the Celery settings send tasks to (production's: no test prefix)."""
    queues = set()
    for queue in getattr(base_settings, "CELERY_TASK_QUEUES", None) or []:
        queues.add(queue if isinstance(queue, str) else getattr(queue, "name", None) or queue["name"])
    queues.update((getattr(base_settings, "TASK_QUEUES", None) or {}).values())
    routes = getattr(base_settings, "CELERY_TASK_ROUTES", None) or {}
    for route in routes.values() if isinstance(routes, dict) else []:
        if isinstance(route, dict) and "queue" in route:
            queues.add(route["queue"])
    if default := getattr(base_settings, "CELERY_TASK_DEFAULT_QUEUE", None):
        queues.add(default)
    return queues or set(DEFAULT_QUEUES)


def env_vars_read_by_the_project() -> set[str]:
    """Every NAME in env("NAME"...), env.int("NAME"...), os.environ[...] / .get / .setdefault, os.getenv."""
    pattern = re.compile(
        r"""(?:\benv(?:\.\w+)?\(|os\.environ(?:\.get|\.setdefault)?[\[(]|os\.getenv\()\s*["']([A-Z][A-Z0-9_]*)["']"""
    )
    names = set()
    for path in BASE_DIR.rglob("*.py"):
        relative = path.relative_to(BASE_DIR)
        if relative.parts[0] in (".venv", "testing") or "tests" in relative.parts:
            continue
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def bind_mount_sources() -> list[tuple[str, str]]:
    """(service, repository path) of every ./ bind mount."""
    found = []
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":", 1)[0]
            if source.startswith(("./", "../", "/")):
                found.append((name, os.path.normpath(source)))
    return found


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), one list per stage."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    stages: list[list[str]] = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def instructions(stage: list[str], keyword: str) -> list[str]:
    return [line[len(keyword) :].strip() for line in stage if line.upper().startswith(keyword + " ")]


# --- docker-compose.yml ---------------------------------------------------------


def test_the_services_are_there():
    expected = {"db", "redis", "migrate", "web", "worker-interactive", "worker-bulk", "worker-exports", "beat"}
    assert expected <= set(SERVICES)
    assert SERVICES["db"]["image"].startswith("pgvector/pgvector:")
    for name in ("prometheus", "grafana"):
        assert SERVICES[name]["profiles"] == ["monitoring"], name


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_health_check(name):
    healthcheck = SERVICES[name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    if healthcheck.get("disable"):
        # Only a one-shot service the others wait for to complete may go without one.
        assert SERVICES[name].get("restart") == "no", name
        waiting = [
            other
            for other, service in SERVICES.items()
            if (service.get("depends_on") or {}).get(name, {}).get("condition") == "service_completed_successfully"
        ]
        assert waiting, f"{name} disables its health check but nothing waits for it to complete"
    else:
        assert healthcheck.get("test"), name


def test_the_app_services_wait_for_migrations_and_healthy_services():
    for name, service in app_services().items():
        if name == "migrate":
            assert service["depends_on"]["db"]["condition"] == "service_healthy"
            continue
        depends_on = service["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["db"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name


def test_every_manage_py_command_exists():
    available = get_commands()
    named = [
        (service, command[command.index("manage.py") + 1]) for service, command in commands() if "manage.py" in command
    ]
    assert named, "no manage.py command found"
    for service, name in named:
        assert name in available, f"{service}: manage.py {name} is not a management command"


def test_every_worker_consumes_routed_queues_and_every_queue_has_a_worker():
    queues = routed_queues()
    workers = [(service, arguments) for service, arguments in celery_commands() if arguments[0] == "worker"]
    assert len(workers) >= 3
    consumed = set()
    for service, arguments in workers:
        named = option(arguments, "-Q", "--queues")
        assert named, f"{service}: a worker without -Q would take the default queue only"
        for queue in named.split(","):
            assert queue in queues, f"{service}: queue {queue!r} is not one the Celery settings route to"
            consumed.add(queue)
        assert option(arguments, "--concurrency", "-c") == "1", service
        node = option(arguments, "-n", "--hostname")
        assert node == f"{service}@%h", f"{service}: node name {node!r}"
        # Its health check pings that very node (`$$` is compose's escape: the shell sees $HOSTNAME).
        ping = words(SERVICES[service]["healthcheck"]["test"])
        assert option(ping, "-d", "--destination") == f"{service}@$$HOSTNAME", service
    assert consumed == queues, f"queues nobody consumes: {sorted(queues - consumed)}"
    assert [arguments[0] for _, arguments in celery_commands()].count("beat") == 1


def test_the_web_server_runs_the_asgi_application_and_it_imports():
    command = words(SERVICES["web"]["command"])
    assert command[:3] == ["python", "-m", "uvicorn"]
    target = command[3]
    assert target == "ragsite.asgi:application"
    module, attribute = target.split(":")
    script = f"import importlib; assert callable(getattr(importlib.import_module({module!r}), {attribute!r}))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ragsite.settings.test"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_variable_the_compose_sets_for_the_app_is_one_the_project_reads():
    read = env_vars_read_by_the_project() | ENV_VARS_READ_ELSEWHERE
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "METRICS_TOKEN"} <= read  # the grep works
    for name, service in app_services().items():
        environment = service.get("environment") or {}
        keys = environment if isinstance(environment, dict) else [item.split("=", 1)[0] for item in environment]
        for key in keys:
            if key == WORKER_METRICS_PORT:
                continue  # read by the workers' metrics server, added on another branch (test below)
            assert key in read, f"{name} sets {key}, which nothing in the project reads"
    assert (BASE_DIR / ".env.example").is_file()  # what the services' env_file (.env) is made from


def test_every_file_mounted_from_the_repository_exists():
    mounted = bind_mount_sources()
    assert mounted
    for service, source in mounted:
        assert (BASE_DIR / source).exists(), f"{service} mounts {source}, which is not in the repository"
    assert SERVICES["web"]["build"] == "."


def test_the_monitoring_files_and_the_workers_metrics_port_are_the_apps_own():
    """Prometheus loads the alert rules, Grafana the dashboard folder, and the workers serve their
    metrics on the port compose sets (operations/tests/test_monitoring_files.py checks the names)."""
    mounted = {source for _, source in bind_mount_sources()}
    assert "monitoring/alerts.yml" in mounted and (BASE_DIR / "monitoring" / "alerts.yml").is_file()
    assert "monitoring/grafana/dashboards" in mounted
    assert (BASE_DIR / "monitoring" / "grafana" / "dashboards" / "rag.json").is_file()
    assert WORKER_METRICS_PORT in env_vars_read_by_the_project()


def test_prometheus_scrapes_the_web_server_with_the_token_and_each_worker():
    config = yaml.safe_load((BASE_DIR / "monitoring" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    prometheus = SERVICES["prometheus"]
    assert "./monitoring/alerts.yml:/etc/prometheus/alerts.yml:ro" in prometheus["volumes"]
    assert "./monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}

    web = jobs["ragsite-web"]
    assert web["metrics_path"] == "/metrics"
    assert web["authorization"]["type"] == "Bearer"
    secret = Path(web["authorization"]["credentials_file"]).name
    assert secret in prometheus["secrets"]
    assert COMPOSE["secrets"][secret] == {"environment": "METRICS_TOKEN"}
    assert [target for group in web["static_configs"] for target in group["targets"]] == ["web:8000"]
    # Django answers 400 to a Host it does not allow: `web` is one of them.
    assert SERVICES["web"]["environment"]["DJANGO_ALLOWED_HOSTS"].endswith(",web")

    targets = {target for group in jobs["ragsite-worker"]["static_configs"] for target in group["targets"]}
    workers = {service for service, arguments in celery_commands() if arguments[0] == "worker"}
    assert targets == {f"{service}:9808" for service in workers}
    for service in workers:
        assert SERVICES[service]["environment"][WORKER_METRICS_PORT] == "9808"
    # The alert rules name the jobs (operations/tests/test_monitoring_files.py checks their metrics).
    alerts = (BASE_DIR / "monitoring" / "alerts.yml").read_text()
    assert 'up{job="ragsite-worker"}' in alerts


def test_grafana_reads_prometheus_and_the_mounted_dashboards():
    provisioning = BASE_DIR / "monitoring" / "grafana" / "provisioning"
    datasources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert datasources[0]["type"] == "prometheus"
    assert datasources[0]["url"] == "http://prometheus:9090"
    providers = yaml.safe_load((provisioning / "dashboards" / "ragsite.yml").read_text())["providers"]
    assert providers[0]["options"]["path"] == "/var/lib/grafana/dashboards"
    volumes = SERVICES["grafana"]["volumes"]
    assert "./monitoring/grafana/dashboards:/var/lib/grafana/dashboards:ro" in volumes
    assert "./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro" in volumes


# --- Dockerfile and .dockerignore -------------------------------------------------------


def test_the_dockerfile_builds_in_one_stage_and_runs_in_another():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    names = [instructions(stage, "FROM")[0].split()[-1] for stage in stages]
    assert names[0] == "builder"
    runtime = stages[-1]
    assert any("--from=builder" in copy for copy in instructions(runtime, "COPY"))
    # The runtime stage installs nothing: everything comes in the builder's virtualenv.
    assert not any("pip install" in run for run in instructions(runtime, "RUN"))
    build = " ".join(instructions(stages[0], "RUN"))
    assert "torch==2.13.0" in build
    assert "requirements/base.txt" in build
    assert "dev.txt" not in DOCKERFILE


def test_the_image_runs_as_a_user_other_than_root_and_checks_its_health():
    runtime = dockerfile_stages()[-1]
    users = instructions(runtime, "USER")
    assert users and users[-1] not in ("root", "0")
    healthchecks = instructions(runtime, "HEALTHCHECK")
    assert healthchecks and "/health" in healthchecks[-1]
    assert "core.healthcheck" in healthchecks[-1]
    assert any("collectstatic" in run for run in instructions(runtime, "RUN"))
    cmd = instructions(runtime, "CMD")[-1]
    assert "ragsite.asgi:application" in cmd


def test_what_the_dockerfile_copies_exists():
    for stage in dockerfile_stages():
        for copy in instructions(stage, "COPY"):
            parts = [part for part in copy.split() if not part.startswith("--")]
            if "--from=" in copy:
                continue
            for source in parts[:-1]:
                assert (BASE_DIR / source).exists(), f"COPY {source}: not in the repository"


def ignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` (or a folder above it) out of the build context."""
    parts = path.split("/")
    candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    for pattern in DOCKERIGNORE:
        bare = pattern.rstrip("/")
        for candidate in candidates:
            if fnmatch.fnmatchcase(candidate, bare) or (
                bare.startswith("**/") and fnmatch.fnmatchcase(candidate.split("/")[-1], bare[3:])
            ):
                return True
    return False


def test_dockerignore_keeps_test_doubles_and_tests_out_of_the_image():
    assert ignored("testing/fixtures.py")
    assert ignored("conftest.py")
    assert ignored(".env")
    assert ignored(".venv/bin/python")
    test_files = [
        path.relative_to(BASE_DIR).as_posix()
        for path in BASE_DIR.rglob("*.py")
        if ".venv" not in path.parts and ("tests" in path.parts or path.name == "conftest.py")
    ]
    assert test_files
    assert [path for path in test_files if not ignored(path)] == []
    assert not ignored("core/healthcheck.py")
    assert not ignored("requirements/base.txt")


def test_no_production_module_imports_the_test_doubles():
    offenders = []
    for path in BASE_DIR.rglob("*.py"):
        relative = path.relative_to(BASE_DIR)
        if relative.parts[0] in (".venv", "testing") or "tests" in relative.parts or path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            if any(name == "testing" or name.startswith("testing.") for name in names):
                offenders.append(str(relative))
    assert offenders == []
