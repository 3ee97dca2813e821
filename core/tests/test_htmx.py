"""One view serves the full page and, for an HTMX request, its partial."""

import pytest
from django.test import RequestFactory, override_settings
from django_htmx.middleware import HtmxMiddleware

from core.htmx import partial_name, render_page_or_partial

PAGE = "<html><body><h1>Things</h1>{% include 'things/_list.html' %}</body></html>"
PARTIAL = "<ul>{% for thing in things %}<li>{{ thing }}</li>{% endfor %}</ul>"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {"things/list.html": PAGE, "things/_list.html": PARTIAL},
                )
            ]
        },
    }
]


def answer(**headers):
    request = RequestFactory().get("/app/things", headers=headers)
    HtmxMiddleware(lambda request: None)(request)  # sets request.htmx, as the middleware does
    return render_page_or_partial(request, "things/list.html", {"things": ["a", "b"]}).content.decode()


def test_partial_is_the_underscore_template_beside_the_page():
    assert partial_name("things/list.html") == "things/_list.html"
    assert partial_name("page.html") == "_page.html"


@override_settings(TEMPLATES=TEMPLATES)
@pytest.mark.parametrize(
    ("headers", "whole_page"),
    [
        ({}, True),
        ({"HX-Request": "true"}, False),
        ({"HX-Request": "true", "HX-Boosted": "true"}, True),
    ],
    ids=["browser", "htmx", "boosted"],
)
def test_full_page_or_fragment(headers, whole_page):
    body = answer(**headers)
    assert "<ul><li>a</li><li>b</li></ul>" in body
    assert ("<h1>Things</h1>" in body) is whole_page
