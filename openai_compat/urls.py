from django.urls import path

from openai_compat import api

urlpatterns = [
    path("v1/models", api.ModelListApi.as_view(), name="v1-models"),
    path("v1/chat/completions", api.ChatCompletionApi.as_view(), name="v1-chat-completions"),
]
