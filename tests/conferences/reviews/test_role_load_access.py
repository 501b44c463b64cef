"""The role load names agencies with small counts: representatives get the suppressed
aggregates instead, even when their agency also sits in the practitioners' tier."""

import pytest

from network.models import Tier
from tests.factories import UserFactory, seat

pytestmark = pytest.mark.django_db


def role_load(api_as, world, person):
    return api_as(person).get(f"/api/v1/networks/{world.network.pk}/role-load/")


@pytest.fixture
def council_in_both_tiers(world):
    """The representative's agency (社会福祉協議会) also sits in the practitioners' tier, with
    a frontline colleague designated there."""
    council = world.representative.agency
    frontline = UserFactory(username="frontline", agency=council, display_name="現場 八郎")
    membership = seat(world.network, council, Tier.PRACTITIONERS, people=[frontline])
    return frontline, membership


def test_a_representative_of_an_agency_in_both_tiers_gets_no_role_load(
    api_as, world, council_in_both_tiers
):
    for path in ("role-load/", "role-load.csv"):
        response = api_as(world.representative).get(f"/api/v1/networks/{world.network.pk}/{path}")
        assert response.status_code == 403
        assert response.json()["code"] == "practitioners_only"


def test_the_practitioner_designated_for_that_agency_reads_it(api_as, world, council_in_both_tiers):
    frontline, _membership = council_in_both_tiers
    assert role_load(api_as, world, frontline).status_code == 200


def test_a_representative_also_designated_as_a_practitioner_reads_it(
    api_as, world, council_in_both_tiers
):
    _frontline, membership = council_in_both_tiers
    membership.designated_people.add(world.representative)
    assert role_load(api_as, world, world.representative).status_code == 200


def test_undesignated_staff_of_a_practitioners_agency_still_read_it(api_as, world):
    assert role_load(api_as, world, world.colleague).status_code == 200


def test_a_representative_whose_seat_ended_is_judged_as_staff_again(
    api_as, world, council_in_both_tiers
):
    from network.models import Membership

    Membership.objects.filter(
        network=world.network, agency=world.representative.agency, tier=Tier.REPRESENTATIVES
    ).update(ends_on="2021-03-31")
    assert role_load(api_as, world, world.representative).status_code == 200
