"""Serializer fields stricter than DRF's own, for what the API's schema promises."""

from rest_framework import serializers


class TextField(serializers.CharField):
    """A string, and only a string: DRF's CharField would turn 42 or 1e999 into text."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
