import pytest


@pytest.fixture(autouse=True)
def export_storage(settings, tmp_path):
    """Every export test writes into its own folder, never the project's data folder."""
    settings.EXPORT_STORAGE_DIR = tmp_path / "exports"
    return settings.EXPORT_STORAGE_DIR
