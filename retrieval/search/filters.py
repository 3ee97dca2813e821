"""Filters both search legs apply inside their SQL, so a filtered search still
fills its limit instead of filtering a short list afterwards."""

import json
import uuid
from dataclasses import dataclass, field

from core.errors import DomainError


class InvalidFilter(DomainError):
    code = "invalid_filter"


@dataclass(frozen=True)
class SearchFilters:
    """Which chunks a search may return, beyond workspace and `completed`.

    document_ids: only these documents. evidence_types: the document's
    metadata `evidence_type` is one of these. tags: the document's metadata
    `tags` list contains any of these. metadata: exact matches on other
    metadata keys (JSON containment).
    """

    document_ids: tuple[uuid.UUID, ...] = ()
    evidence_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    metadata: dict = field(default_factory=dict)

    @classmethod
    def from_request(cls, *, document_ids=None, evidence_types=None, filters=None) -> "SearchFilters":
        filters = dict(filters or {})
        document_ids = list(document_ids or []) + _as_list(filters.pop("document_ids", []), "document_ids")
        tags = _as_list(filters.pop("tags", []), "tags")
        evidence_types = list(evidence_types or []) + _as_list(filters.pop("evidence_types", []), "evidence_types")
        try:
            parsed_ids = tuple(uuid.UUID(str(value)) for value in document_ids)
        except ValueError:
            raise InvalidFilter("document_ids must be document UUIDs.") from None
        for key, value in filters.items():
            if not isinstance(value, str | int | float | bool):
                raise InvalidFilter(f"filters.{key} must be a string, number or boolean.")
        return cls(
            document_ids=parsed_ids,
            evidence_types=tuple(str(value) for value in evidence_types),
            tags=tuple(str(value) for value in tags),
            metadata=filters,
        )

    def sql(self) -> tuple[str, dict]:
        """A WHERE fragment over `d` (documents_document) and its parameters."""
        clauses, params = [], {}
        if self.document_ids:
            clauses.append("d.id = ANY(%(filter_document_ids)s::uuid[])")
            params["filter_document_ids"] = list(self.document_ids)
        if self.evidence_types:
            clauses.append("d.metadata ->> 'evidence_type' = ANY(%(filter_evidence_types)s::text[])")
            params["filter_evidence_types"] = list(self.evidence_types)
        if self.tags:
            clauses.append("d.metadata -> 'tags' ?| %(filter_tags)s::text[]")
            params["filter_tags"] = list(self.tags)
        if self.metadata:
            clauses.append("d.metadata @> %(filter_metadata)s::jsonb")
            params["filter_metadata"] = json.dumps(self.metadata)
        return (" AND " + " AND ".join(clauses)) if clauses else "", params


def _as_list(value, name: str) -> list:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str | int) for item in value):
        return value
    raise InvalidFilter(f"{name} must be a list of strings.")
