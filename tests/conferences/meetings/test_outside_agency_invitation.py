"""A role for an agency outside the network shows its staff nothing of the case until the
network's coordinator invites the agency to it (`POST /roles/{id}/invite/`)."""

import pytest

from conferences.models import ReviewChange
from conferences.reviews import services as review_services
from tests.conferences.role_fixtures import add_role

pytestmark = pytest.mark.django_db


def case_url(rw):
    return f"/api/v1/cases/{rw.case.pk}/"


def invite(api_as, person, role):
    return api_as(person).post(f"/api/v1/roles/{role.pk}/invite/")


def test_asking_an_outside_agency_shows_its_staff_nothing(api_as, roles_world):
    role = add_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    client = api_as(roles_world.outsider)
    assert client.get(case_url(roles_world)).status_code == 404
    assert client.get(f"/api/v1/roles/{role.pk}/").status_code == 404
    assert client.get("/api/v1/cases/").json()["count"] == 0


def test_an_agreement_recorded_on_its_behalf_shows_it_nothing_either(api_as, roles_world):
    role = add_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    review_services.role_agree(
        actor=roles_world.world.coordinator, role=role, on_behalf=True, note="電話で了承"
    )
    assert api_as(roles_world.outsider).get(case_url(roles_world)).status_code == 404


def test_once_invited_it_sees_the_facts_then_the_content_once_agreed(api_as, roles_world):
    role = add_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    coordinator = roles_world.world.coordinator
    response = invite(api_as, coordinator, role)
    assert response.status_code == 200
    body = response.json()
    assert body["agency_invited_by"] == coordinator.pk and body["agency_invited_at"]
    assert body["outside_network"] is True

    facts = api_as(roles_world.outsider).get(case_url(roles_world))
    assert facts.status_code == 200 and facts.json()["content"] is None
    review_services.role_agree(actor=coordinator, role=role, on_behalf=True, note="電話で了承")
    assert api_as(roles_world.outsider).get(case_url(roles_world)).json()["content"] is not None

    change = ReviewChange.objects.filter(review=roles_world.review, role_id=role.pk).get(
        action="agency_invited"
    )
    assert change.actor == coordinator


def test_inviting_again_changes_nothing(api_as, roles_world):
    role = add_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    first = invite(api_as, roles_world.world.coordinator, role).json()
    again = invite(api_as, roles_world.world.coordinator, role)
    assert again.status_code == 200
    assert again.json()["agency_invited_at"] == first["agency_invited_at"]
    actions = ReviewChange.objects.filter(review=roles_world.review, action="agency_invited")
    assert actions.count() == 1


@pytest.mark.parametrize(
    ("persona", "expected", "code"),
    [
        ("coordinator", 200, None),
        ("member", 403, "not_a_coordinator"),  # reads every role of the case, invites none
        ("third", 403, "not_a_coordinator"),
        ("outsider", 404, None),  # not invited: the role does not exist for them
        ("representative", 404, None),
        ("auditor", 404, None),
        ("admin", 404, None),
        ("stranger", 404, None),
        ("anonymous", 401, "not_authenticated"),
    ],
)
def test_invite_matrix(api_as, roles_world, persona, expected, code):
    role = add_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    response = invite(api_as, roles_world.person(persona), role)
    assert response.status_code == expected
    if code:
        assert response.json()["code"] == code
    role.refresh_from_db()
    assert (role.agency_invited_at is not None) == (expected == 200)


def test_an_agency_of_the_network_needs_no_invitation(api_as, roles_world):
    role = add_role(roles_world, roles_world.third.agency, function="outreach")
    response = invite(api_as, roles_world.world.coordinator, role)
    assert response.status_code == 409
    assert response.json()["code"] == "agency_in_network"
    assert api_as(roles_world.third).get(case_url(roles_world)).status_code == 200


def test_giving_the_role_to_another_outside_agency_needs_a_new_invitation(api_as, roles_world):
    from agencies.models import Sector
    from tests.factories import AgencyFactory, UserFactory

    role = add_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    invite(api_as, roles_world.world.coordinator, role)
    other = AgencyFactory(name="地域若者支援NPO", sector=Sector.NPO)
    other_staff = UserFactory(username="other_npo", agency=other)
    response = api_as(roles_world.world.coordinator).patch(
        f"/api/v1/roles/{role.pk}/", {"agency": other.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["agency_invited_at"] is None
    assert api_as(roles_world.outsider).get(case_url(roles_world)).status_code == 404
    assert api_as(other_staff).get(case_url(roles_world)).status_code == 404
