"""Serializer pieces shared by every app."""

from rest_framework import serializers


def display_field(choice_field: str) -> serializers.CharField:
    """The `…_display` companion of a choice field, in the request's language."""
    return serializers.CharField(source=f"get_{choice_field}_display", read_only=True)
