"""One view, page or partial: the same view answers a full page, or for an HTMX request
just the fragment it swaps in. A page's partial is the template named `_<page>.html`
beside it (`documents/list.html` includes `documents/_list.html`)."""

from pathlib import PurePosixPath

from django.shortcuts import render


def wants_partial(request) -> bool:
    """An HTMX request for a fragment; boosted navigation (hx-boost) still wants the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def partial_name(template: str) -> str:
    path = PurePosixPath(template)
    return str(path.with_name(f"_{path.name}"))


def render_page_or_partial(request, template: str, context: dict | None = None, *, status: int = 200):
    """`template` for a full page load, its `_` partial for an HTMX request, with the same context."""
    name = partial_name(template) if wants_partial(request) else template
    return render(request, name, context or {}, status=status)
