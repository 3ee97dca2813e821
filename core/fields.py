"""Serializer fields stricter than DRF's own, for what the API's schema promises.

DRF's fields coerce: a CharField turns 42 into "42", a BooleanField takes "yes" or 0, an
IntegerField "7", a FloatField true. These take a JSON body's values only as the schema types
them. Query strings are text by nature: their serializers keep DRF's fields.
"""

import re

from rest_framework import serializers

UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


class TextField(serializers.CharField):
    """A string, and only a string: DRF's CharField would turn 42 or 1e999 into text.

    NUL characters and lone surrogates are refused before any validator sees the value: a
    validator that queries the database would fail on them with an error, not an answer."""

    default_error_messages = {
        "invalid": "Must be a string.",
        "characters": "Must not contain NUL characters or unpaired surrogates.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if UNSTORABLE_CHARACTERS.search(data):
            self.fail("characters")
        return super().to_internal_value(data)


class BooleanField(serializers.BooleanField):
    """JSON's true or false: DRF's BooleanField would also take "yes", "on", 1 or "0"."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid")


class JsonNumberMixin:
    """Only a JSON number (never true or false, which Python counts as ints, nor a string) goes on to DRF's checks."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class IntegerField(JsonNumberMixin, serializers.IntegerField):
    """A JSON number: DRF's IntegerField would also take the string "7"."""


class FloatField(JsonNumberMixin, serializers.FloatField):
    """A finite JSON number: DRF's FloatField would also take true (as 1.0) or the string "0.5"."""
