"""Views that fail on purpose, outside and inside DRF, for the error tests of core."""

from django.core.exceptions import ValidationError
from django.urls import path, re_path
from django.views.decorators.http import require_POST
from rest_framework.views import APIView

from core import errors
from core.errors import Conflict

handler404 = "core.errors.handler404"
handler500 = "core.errors.handler500"


def plain_conflict(request):
    raise Conflict("This thing is archived.", code="thing_archived")


def plain_invalid(request):
    raise ValidationError({"name": ["Too long."]})


class ApiInvalid(APIView):
    authentication_classes = []
    permission_classes = []

    def post(self, request):
        raise ValidationError({"name": ["Too long."]})


class ApiConflict(APIView):
    authentication_classes = []
    permission_classes = []

    def post(self, request):
        raise Conflict("This thing is archived.", code="thing_archived", extra={"thing": 7})


urlpatterns = [
    path("app/conflict", plain_conflict),
    path("plain/conflict", plain_conflict),
    path("app/invalid", plain_invalid),
    path("api/invalid", ApiInvalid.as_view()),
    path("api/conflict", ApiConflict.as_view()),
    path("plain/form", plain_invalid),
    path("app/form-only", require_POST(plain_conflict)),
    re_path(r"^", errors.not_found),
]
