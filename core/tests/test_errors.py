"""One error style: domain errors and Django's ValidationError answer 4xx in the envelope, or an
HTML page on browser paths (the admin, the web app); CSRF failures included."""

import pytest
from django.test import Client

pytestmark = pytest.mark.urls("core.tests.urls")


def envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["request_id"] == response["X-Request-ID"]
    return error


def html_page(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert body.startswith("<!doctype html>") and response["X-Request-ID"] in body
    return body


def test_domain_errors_from_drf_views_keep_their_code_status_and_extra_fields():
    error = envelope(Client().post("/api/conflict"), 409, "thing_archived")
    assert error["message"] == "This thing is archived." and error["thing"] == 7


def test_django_validation_errors_are_400_naming_the_field():
    error = envelope(Client().post("/api/invalid"), 400, "validation_error")
    assert error["fields"] == {"name": ["Too long."]} and error["message"] == "name: Too long."
    envelope(Client().get("/plain/form"), 400, "validation_error")


def test_domain_errors_from_plain_views_are_4xx_not_500():
    envelope(Client().get("/plain/conflict"), 409, "thing_archived")
    assert "This thing is archived." in html_page(Client().get("/app/conflict"), 409)
    assert "Too long." in html_page(Client().get("/app/invalid"), 400)


def test_unknown_browser_paths_are_html_pages_and_api_paths_the_envelope():
    assert "Not found." in html_page(Client().get("/app/no-such-page"), 404)
    envelope(Client().get("/no-such-endpoint"), 404, "not_found")


def test_csrf_failures_are_an_html_page_in_the_browser_and_the_envelope_elsewhere():
    browser = Client(enforce_csrf_checks=True)
    assert "CSRF verification failed" in html_page(browser.post("/app/conflict"), 403)
    envelope(browser.post("/plain/conflict"), 403, "csrf_failed")


def test_a_page_that_only_takes_a_form_answers_an_html_405():
    response = Client().get("/app/form-only")
    assert "only accepts POST" in html_page(response, 405) and response["Allow"] == "POST"


def test_a_body_too_large_is_refused_before_it_is_read(settings):
    settings.MAX_REQUEST_BYTES = 100
    assert "larger than 100 bytes" in html_page(Client().post("/app/conflict", {"text": "x" * 500}), 413)
    envelope(Client().post("/plain/conflict", {"text": "x" * 500}), 413, "payload_too_large")
