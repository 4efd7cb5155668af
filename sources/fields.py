"""Serializer fields shared by the API."""

from rest_framework import serializers

MAX_ID = 2**63 - 1


class StrictFloatField(serializers.FloatField):
    """A number; true/false are refused rather than read as 1.0/0.0."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key field that refuses ids no database row can have (negative, or past 64 bits)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            value = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if value < 1 or value > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(value)
