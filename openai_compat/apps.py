from django.apps import AppConfig


class OpenaiCompatConfig(AppConfig):
    name = "openai_compat"
    verbose_name = "OpenAI-compatible API"
