from django.urls import path

from retrieval import api

urlpatterns = [
    path("health", api.HealthApi.as_view(), name="health"),
    path("search", api.SearchApi.as_view(), name="search"),
    path("context", api.ContextApi.as_view(), name="context"),
]
