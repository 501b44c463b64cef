"""Filter pieces shared by every app."""

from django import forms
from django_filters import rest_framework as filters

from config.inputs import MAX_ID


class IdFilter(filters.NumberFilter):
    """`?network=3`: a plain id, matched without a lookup of its own (so the answer never
    says whether an id exists elsewhere), and refused (400) outside 1..2⁶³−1, where the
    database would fail on it."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
