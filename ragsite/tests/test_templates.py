"""Every template as Django reads it: a `{# #}` comment ends on its own line, or its text is shown."""

from pathlib import Path

from django.conf import settings

TEMPLATE_DIRS = [settings.BASE_DIR / "templates", *sorted(settings.BASE_DIR.glob("*/templates"))]


def test_no_single_line_comment_runs_onto_a_second_line():
    unclosed = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for directory in TEMPLATE_DIRS
        for path in sorted(Path(directory).rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert TEMPLATE_DIRS and not unclosed, f"use {{% comment %}} for these: {unclosed}"
