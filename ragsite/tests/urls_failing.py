"""A URLconf with views that fail on purpose, for error-envelope tests."""

from django.urls import include, path
from rest_framework.views import APIView


class Crash(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        raise RuntimeError("boom: internal detail that must not leak")


urlpatterns = [
    path("crash", Crash.as_view()),
    path("", include("ragsite.urls")),
]
