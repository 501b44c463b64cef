"""Reads of cases that the API (and the web pages) look one up with: a case the person may
see, or 404 exactly as if it did not exist; and what the web pages list and offer."""

from django.db.models import Case as Cases
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, Value, When

from agencies.models import Agency
from conferences.models import Case
from config import clock
from network.models import Membership
from permissions import rules
from permissions.access import get_visible_or_404
from permissions.selectors import own_networks, visible_cases


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


def cases_for_list(user):
    """The cases the API's list shows the person (`visible_cases`, facts only), their own
    agency's first, then the newest. A fixed number of queries whatever the rows."""
    own_agency_first = Cases(
        When(submitting_agency_id=user.agency_id, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        with_case_relations(visible_cases(user))
        .annotate(own_agency_first=own_agency_first)
        .order_by("own_agency_first", "-created_at", "-id")
    )


def case_fiscal_years(user) -> list[int]:
    """The fiscal years of the cases the person sees, newest first (drafts have none). One
    query."""
    years = visible_cases(user).exclude(fiscal_year__isnull=True).values_list("fiscal_year")
    return sorted({year for (year,) in years.distinct().order_by()}, reverse=True)


def networks_to_start_cases_in(user) -> list:
    """The person's networks where they may start a case (`rules.may_start_case`), by name."""
    networks = own_networks(user).order_by("name", "pk")
    return [network for network in networks if rules.may_start_case(user, network)]


def network_agencies(networks):
    """Active agencies seated now in (or running) one of `networks`: those a case of theirs
    may name as involved. One query."""
    ids = [getattr(network, "pk", network) for network in networks]
    seated = Membership.objects.current(clock.today()).filter(
        agency=OuterRef("pk"), network_id__in=ids
    )
    return Agency.objects.filter(
        Q(Exists(seated)) | Q(secretariat_of__in=ids), active=True
    ).distinct()
