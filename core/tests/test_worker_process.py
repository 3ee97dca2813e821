from core.worker_process import is_worker_command, prepare_multiprocess_dir

CELERY = "/venv/lib/python3.11/site-packages/celery/__main__.py"


def test_only_a_celery_worker_is_a_worker_command():
    assert is_worker_command([CELERY, "-A", "ragsite", "worker", "--pool", "prefork"])
    assert is_worker_command(["/venv/bin/celery", "-A", "ragsite", "worker"])
    assert not is_worker_command([CELERY, "-A", "ragsite", "beat"])
    assert not is_worker_command(["/venv/bin/pytest", "-k", "worker"])
    assert not is_worker_command([])


def test_a_metrics_worker_gets_an_emptied_multiprocess_folder(tmp_path):
    stale = tmp_path / "counter_123.db"
    stale.write_bytes(b"old run")
    environ = {"WORKER_METRICS_PORT": "9101", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    assert prepare_multiprocess_dir([CELERY, "-A", "ragsite", "worker"], environ) == str(tmp_path)
    assert not stale.exists()


def test_a_worker_without_a_port_or_another_command_is_left_alone(tmp_path):
    assert prepare_multiprocess_dir([CELERY, "-A", "ragsite", "worker"], {"WORKER_METRICS_PORT": "0"}) is None
    environ = {"WORKER_METRICS_PORT": "9101"}
    assert prepare_multiprocess_dir([CELERY, "-A", "ragsite", "beat"], environ) is None
    assert "PROMETHEUS_MULTIPROC_DIR" not in environ
