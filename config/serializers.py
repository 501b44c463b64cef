"""Serializer pieces shared by every app."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from config.inputs import MAX_ID, single_line


def display_field(choice_field: str) -> serializers.CharField:
    """The `…_display` companion of a choice field, in the request's language."""
    return serializers.CharField(source=f"get_{choice_field}_display", read_only=True)


class IdField(serializers.IntegerField):
    """An id in a body: an integer from 1 to 2⁶³−1 (400 otherwise), never looked up here."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class SingleLineCharField(serializers.CharField):
    """A name, title or place: no line breaks or control characters (400 otherwise)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(single_line)


class SealedTextField(serializers.CharField):
    """A sealed text (encrypted at rest): written as text, read back as text where the
    reader may read it and as null where they may not. The schema says so (nullable in
    responses only: a null is never accepted as input)."""


class SealedTextFieldExtension(OpenApiSerializerFieldExtension):
    target_class = SealedTextField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema["nullable"] = True
        return schema
