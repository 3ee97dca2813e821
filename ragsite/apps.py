from django.apps import AppConfig


class RagsiteConfig(AppConfig):
    name = "ragsite"
    verbose_name = "ragsite"

    def ready(self):
        from ragsite import checks  # noqa: F401  (registers system checks)
