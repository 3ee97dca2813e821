import json

from django import template

from chat.guards import refusal_reason_label
from operations.forms import FILTER_LABELS

register = template.Library()


@register.filter
def pretty_json(value) -> str:
    """JSON indented for reading; the template escapes it like any text."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@register.filter
def refusal_reason(code: str) -> str:
    """`{{ log.refusal_reason|refusal_reason }}`: the reason in plain words."""
    return refusal_reason_label(code)


@register.filter
def filter_summary(filters: dict) -> str:
    """An export job's filters in words: `Text: pods · Refused: no`; `everything` when there are none."""
    if not filters:
        return "everything"
    words = {True: "yes", False: "no"}
    return " · ".join(
        f"{FILTER_LABELS.get(name, name)}: {words.get(value, value) if isinstance(value, bool) else value}"
        for name, value in filters.items()
    )
