"""Security: peppered key hashes, the Content Security Policy and other headers, private metrics,
and no secret in any log line."""

import hashlib
import logging

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from core.logging import JsonFormatter
from core.roles import Role
from workspaces.models import ApiKey, hash_api_key
from workspaces.services import api_key_create
from workspaces.tests.factories import ApiKeyFactory, UserFactory

pytestmark = pytest.mark.django_db


def api(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def test_stored_key_hashes_are_hmacs_with_the_pepper(settings):
    settings.API_KEY_PEPPER = "pepper-one"
    api_key, raw_key = api_key_create(name="ci", role=Role.VIEWER)
    assert api_key.key_hash != hashlib.sha256(raw_key.encode()).hexdigest()
    assert api(raw_key).get("/workspaces").status_code == 200
    # The same table with another pepper: the stored hash alone opens nothing.
    settings.API_KEY_PEPPER = "pepper-two"
    assert api(raw_key).get("/workspaces").status_code == 401


def test_a_key_stored_before_the_pepper_works_and_is_stored_peppered_from_then_on():
    raw_key = "rag_legacy-key-made-before-the-pepper-0123456789"
    legacy = ApiKeyFactory(role=Role.VIEWER, key_hash=hashlib.sha256(raw_key.encode()).hexdigest())
    assert api(raw_key).get("/workspaces").status_code == 200
    legacy.refresh_from_db()
    assert legacy.key_hash == hash_api_key(raw_key)
    assert api(raw_key).get("/workspaces").status_code == 200
    assert ApiKey.objects.count() == 1


def test_pages_and_the_api_send_the_security_headers(admin_key):
    user = UserFactory(is_staff=True)
    client = Client()
    client.force_login(user)
    page = client.get("/app/")
    policy = page["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for response in (page, api(admin_key.raw_key).get("/workspaces"), client.get("/api/docs/")):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
    # The admin is Django's own, with inline styles: it keeps frame denial but not the page policy.
    admin = client.get("/admin/")
    assert admin.status_code == 200 and "Content-Security-Policy" not in admin
    assert admin["X-Frame-Options"] == "DENY"


def test_metrics_need_the_token_when_one_is_set_and_are_off_when_not_public(settings):
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    assert Client().get("/metrics").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get("/metrics").status_code == 401
    scraped = Client(HTTP_AUTHORIZATION="Bearer scrape-token-0123456789").get("/metrics")
    assert scraped.status_code == 200 and b"django_http_requests" in scraped.content
    settings.METRICS_TOKEN, settings.METRICS_PUBLIC = "", False
    hidden = Client().get("/metrics")
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
    settings.METRICS_PUBLIC = True
    assert Client().get("/metrics").status_code == 200


@override_settings(API_KEY_PEPPER="pepper-that-must-not-be-logged")
def test_no_secret_reaches_a_log_line(caplog, settings, access_control_server):
    """A session of requests that carry every kind of secret, then every captured log line is read."""
    caplog.set_level(logging.DEBUG)
    api_key, raw_key = api_key_create(name="logged?", role=Role.ADMIN)
    password = "correct-horse-battery-staple-42"
    UserFactory(username="ada", password=password)
    settings.AUTH_MODE = "api_key"
    client = api(raw_key)
    client.get("/workspaces")
    client.post("/workspaces", {"id": "logs", "name": "Logs"}, format="json")
    client.post("/search", {"query": "anything", "workspace_id": "nope"}, format="json")
    api("rag_not-a-real-key-but-secret-looking").get("/workspaces")
    people = Client()
    people.post("/app/login/", {"username": "ada", "password": "wrong-" + password})
    people.post("/app/login/", {"username": "ada", "password": password})
    people.get("/app/")
    jwt = "eyJhbGciOiJIUzI1NiJ9.secret-payload.signature"
    settings.AUTH_MODE = "gateway"
    access_control_server.set("logs", "allow", user_id="grace")
    gateway = APIClient()
    gateway.credentials(HTTP_X_USER_ID="grace", HTTP_X_USER_ROLE="admin", HTTP_AUTHORIZATION=f"Bearer {jwt}")
    gateway.get("/workspaces/logs")

    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert len(lines) > 3  # the requests were logged
    for secret in (raw_key, password, jwt, settings.API_KEY_PEPPER, settings.SECRET_KEY, "secret-looking"):
        assert not [line for line in lines if secret in line], secret
