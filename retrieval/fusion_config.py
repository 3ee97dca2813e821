"""Which fusion a search uses: the site's settings, or a workspace's own.

A workspace's `retrieval_settings["fusion"]` holds the fields of FusionSettings that
`manage.py tune` found better for it (or an operator set in the admin); the rest come from the
site's settings. Stored values are checked when written and again when read: a value that
no longer fits is ignored, with a warning, rather than breaking the workspace's search.
"""

import dataclasses
import logging

from django.conf import settings
from django.db import transaction

from audit.services import audit_log_record
from retrieval.search.fusion import FUSION_METHODS, NORMALIZATIONS, FusionSettings
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

FIELDS = tuple(field.name for field in dataclasses.fields(FusionSettings))


def site_fusion_settings() -> FusionSettings:
    return FusionSettings(
        method=settings.FUSION_METHOD,
        rrf_k=settings.RRF_K,
        semantic_weight=settings.SEMANTIC_WEIGHT,
        keyword_weight=settings.KEYWORD_WEIGHT,
        alpha=settings.FUSION_ALPHA,
        normalization=settings.FUSION_NORMALIZATION,
        adaptive_strength=settings.FUSION_ADAPTIVE_STRENGTH,
        depth=settings.SEARCH_CANDIDATES,
    )


def fusion_settings_for(workspace: Workspace | None) -> FusionSettings:
    """The site's fusion with the workspace's own settings over it."""
    site = site_fusion_settings()
    own = ((workspace.retrieval_settings or {}).get("fusion") if workspace else None) or {}
    if not own:
        return site
    try:
        return fusion_settings_with(site, own)
    except ValueError as exc:
        logger.warning("workspace %s: its fusion settings are ignored: %s", workspace.pk, exc)
        return site


def workspace_fusion_reset(*, workspace: Workspace, actor: str, request_id: str = "") -> None:
    """Back to the site's fusion settings (audited)."""
    with transaction.atomic():
        previous = (workspace.retrieval_settings or {}).get("fusion", {})
        workspace.retrieval_settings = {}
        workspace.save(update_fields=["retrieval_settings", "updated_at"])
        audit_log_record(
            action="workspace.fusion_reset",
            actor=actor,
            request_id=request_id,
            workspace_ids=[workspace.pk],
            metadata={"previous": previous},
        )


def fusion_settings_with(base: FusionSettings, changes: dict) -> FusionSettings:
    """`base` with `changes` (FusionSettings' field names) applied; ValueError names what is wrong."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown fusion settings: {', '.join(sorted(unknown))}")
    values = {**dataclasses.asdict(base), **changes}
    checked = FusionSettings(
        method=_choice(values["method"], FUSION_METHODS, "method"),
        rrf_k=_number(values["rrf_k"], "rrf_k", low=1, high=1000, kind=int),
        semantic_weight=_number(values["semantic_weight"], "semantic_weight", low=0, high=10),
        keyword_weight=_number(values["keyword_weight"], "keyword_weight", low=0, high=10),
        alpha=_number(values["alpha"], "alpha", low=0, high=1),
        normalization=_choice(values["normalization"], NORMALIZATIONS, "normalization"),
        adaptive_strength=_number(values["adaptive_strength"], "adaptive_strength", low=0, high=1),
        depth=_number(values["depth"], "depth", low=10, high=1000, kind=int),
    )
    return checked


def fusion_settings_changes(fusion: FusionSettings) -> dict:
    """The fields of `fusion` that differ from the site's: what a workspace stores."""
    site = dataclasses.asdict(site_fusion_settings())
    return {name: value for name, value in dataclasses.asdict(fusion).items() if site[name] != value}


def _choice(value, choices: tuple[str, ...], name: str) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _number(value, name: str, *, low: float, high: float, kind=float):
    if isinstance(value, bool) or not isinstance(value, int | float) or (kind is int and value != int(value)):
        raise ValueError(f"{name} must be a {'whole ' if kind is int else ''}number, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, not {value!r}")
    return kind(value)
