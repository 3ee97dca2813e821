from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"

    def ready(self):
        from operations.metrics import register_state_sources

        register_state_sources()
