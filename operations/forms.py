"""The operator pages' filters and export form.

A list page's filters are validated by the API's own filter serializer, so a page filters exactly
as its endpoint does and an export job holds the very filters the list showed.
"""

from urllib.parse import urlencode

from django import forms
from rest_framework import serializers

from audit.serializers import AuditLogFilterSerializer
from chat.guards import REASON_LABELS
from chat.models import Rating
from chat.serializers import ChatLogFilterSerializer
from exports.models import ExportFormat, ExportType

CHAT_LOG_FILTER_NAMES = ("since", "until", "refused", "refusal_reason", "rating", "request_id", "q")
AUDIT_LOG_FILTER_NAMES = ("action", "actor", "request_id", "since", "until")
# The inputs an export job takes its filters from, per type (the list page that offers it).
EXPORT_FILTER_NAMES = {
    ExportType.CHAT_LOGS: CHAT_LOG_FILTER_NAMES,
    ExportType.AUDIT_LOGS: AUDIT_LOG_FILTER_NAMES,
    ExportType.DOCUMENTS: ("status",),
}

REFUSED_CHOICES = [("", "Any"), ("true", "Refused"), ("false", "Not refused")]
REFUSAL_REASON_CHOICES = [("", "Any reason"), *REASON_LABELS.items()]
RATING_CHOICES = [("", "Any"), *Rating.choices, ("rated", "Rated"), ("unrated", "Not rated")]
FILTER_LABELS = {
    "since": "From",
    "until": "Until",
    "refused": "Refused",
    "refusal_reason": "Reason",
    "rating": "Rating",
    "request_id": "Request id",
    "q": "Text",
    "action": "Action",
    "actor": "Actor",
}


class ListFilters:
    """A list page's filters from its query string. A form sends every input, so blank ones are
    left out; the rest must validate (`errors` names each problem by the input's label)."""

    def __init__(self, serializer_class: type[serializers.Serializer], data, *, names: tuple[str, ...]):
        self.values = {name: data.get(name, "").strip() for name in names}  # what the inputs show again
        self.given = {name: value for name, value in self.values.items() if value}
        serializer = serializer_class(data=self.given)
        self.is_valid = serializer.is_valid()
        self.errors = {name: [str(error) for error in errors] for name, errors in serializer.errors.items()}
        self.filters = {name: value for name, value in serializer.validated_data.items() if value is not None}
        self.query = urlencode(self.given)  # for page links

    @property
    def problems(self) -> list[str]:
        return [f"{FILTER_LABELS.get(name, name)}: {' '.join(errors)}" for name, errors in self.errors.items()]


def chat_log_filters(data) -> ListFilters:
    return ListFilters(ChatLogFilterSerializer, data, names=CHAT_LOG_FILTER_NAMES)


def audit_log_filters(data) -> ListFilters:
    return ListFilters(AuditLogFilterSerializer, data, names=AUDIT_LOG_FILTER_NAMES)


class ExportJobForm(forms.Form):
    """What to export and in which format. The filters come as the list page's own inputs;
    `export_job_create` validates them for the type, as it does for the API."""

    export_type = forms.ChoiceField(choices=ExportType.choices)
    format = forms.ChoiceField(choices=ExportFormat.choices, initial=ExportFormat.CSV)

    def filters(self) -> dict:
        names = EXPORT_FILTER_NAMES[self.cleaned_data["export_type"]]
        return {name: self.data[name].strip() for name in names if self.data.get(name, "").strip()}
