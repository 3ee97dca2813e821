from django.apps import AppConfig


class TestingConfig(AppConfig):
    """Installed by the test settings only, so the worker and server processes a test
    starts have the same test doubles as the test itself."""

    name = "testing"

    def ready(self):
        from testing.exports import register_slow_export_source

        register_slow_export_source()
