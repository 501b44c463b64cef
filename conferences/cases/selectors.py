"""Reads of cases that the API (and the web pages) look one up with: a case the person may
see, or 404 exactly as if it did not exist."""

from django.db.models import Prefetch

from agencies.models import Agency
from conferences.models import Case
from permissions.access import get_visible_or_404
from permissions.selectors import visible_cases


def with_case_relations(cases):
    """What a case's facts are serialized with, in a fixed number of queries."""
    agencies = Agency.objects.only("id")
    return cases.select_related("submitting_agency", "network").prefetch_related(
        Prefetch("involved_agencies", queryset=agencies)
    )


def visible_case_or_404(user, pk) -> Case:
    """The case, if the person may see its facts; 404 otherwise (absent or not theirs)."""
    return get_visible_or_404(
        with_case_relations(visible_cases(user)).select_related("data_key"),
        pk=pk,
        user=user,
        view_perm=None,
    )
