"""Serializer pieces shared by every app."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


def display_field(choice_field: str) -> serializers.CharField:
    """The `…_display` companion of a choice field, in the request's language."""
    return serializers.CharField(source=f"get_{choice_field}_display", read_only=True)


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
