from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "core"

    def ready(self):
        from core import (
            checks,  # noqa: F401  (registers the configuration checks)
            task_signals,  # noqa: F401  (request ids into tasks, task metrics)
        )
