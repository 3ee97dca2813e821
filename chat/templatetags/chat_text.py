"""An answer as the conversation shows it: its text escaped, each valid [n] marker a link to
its source, and a refusal's reason in plain words."""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from chat.guards import refusal_reason_label
from chat.services import CITATION_MARKER

register = template.Library()


@register.simple_tag
def answer_text(text: str, citations: list[dict], workspace_id: str) -> str:
    by_number = {citation["n"]: citation for citation in citations}

    def link(match) -> str:
        citation = by_number.get(int(match.group(1)))
        if citation is None:
            return match.group(0)
        url = reverse("app-chunk", args=[workspace_id, citation["chunk_id"]])
        return format_html(
            '<a class="cite" href="{}?n={}" data-cite title="{}">[{}]</a>',
            url,
            citation["n"],
            citation.get("title", ""),
            citation["n"],
        )

    # Escaping leaves brackets and digits alone, so markers are found in the escaped text.
    return mark_safe(CITATION_MARKER.sub(link, str(conditional_escape(text))))  # noqa: S308


register.filter("refusal_label", refusal_reason_label)
