"""Persona matrices for the role-division endpoints not covered elsewhere: the role list,
one role, changing and removing it, finalising, the progress list, the load table and the
follow-up round."""

import pytest

from conferences.reviews import services as review_services
from tests.conferences.role_fixtures import add_invited_role, add_role, final_review

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "expected", "seen"),
    [
        ("coordinator", 200, 2),
        ("member", 200, 2),  # reads the case: every role
        ("outsider", 200, 1),  # holds one role: only its own
        ("representative", 404, 0),
        ("auditor", 404, 0),
        ("admin", 404, 0),
        ("stranger", 404, 0),
        ("anonymous", 401, 0),
    ],
)
def test_role_list_matrix(api_as, roles_world, persona, expected, seen):
    add_role(roles_world, roles_world.world.member.agency)
    add_invited_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    response = api_as(roles_world.person(persona)).get(
        f"/api/v1/reviews/{roles_world.review.pk}/roles/"
    )
    assert response.status_code == expected
    if expected == 200:
        assert len(response.json()["results"]) == seen


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("member", 200),  # its own agency's role
        ("colleague", 200),
        ("outsider", 403),  # sees the case through its own role, not this one
        ("representative", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_role_detail_matrix(api_as, roles_world, persona, expected):
    role = add_role(roles_world, roles_world.world.member.agency)
    add_invited_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    response = api_as(roles_world.person(persona)).get(f"/api/v1/roles/{role.pk}/")
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", (200, 204)),
        ("member", (200, 204)),  # an attendee, while the meeting is held
        ("colleague", (403, 403)),
        ("representative", (404, 404)),
        ("stranger", (404, 404)),
        ("anonymous", (401, 401)),
    ],
)
def test_changing_and_removing_roles_matrix(api_as, roles_world, persona, expected):
    role = add_role(roles_world, roles_world.third.agency, function="outreach")
    client = api_as(roles_world.person(persona))
    patch = client.patch(f"/api/v1/roles/{role.pk}/", {"due_on": "2027-03-31"}, format="json")
    delete = client.delete(f"/api/v1/roles/{role.pk}/")
    assert (patch.status_code, delete.status_code) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("member", 403),  # an attendee writes roles, only coordinators finalise
        ("third", 403),
        ("representative", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_finalize_matrix(api_as, roles_world, persona, expected):
    lead = add_role(roles_world, roles_world.world.member.agency)
    review_services.role_agree(actor=roles_world.world.member, role=lead)
    response = api_as(roles_world.person(persona)).post(
        f"/api/v1/reviews/{roles_world.review.pk}/finalize/"
    )
    assert response.status_code == expected
    roles_world.review.refresh_from_db()
    assert (roles_world.review.finalized_at is not None) == (expected == 200)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("member", 200),
        ("peer", 403),  # invited, within the window, but not the role's agency
        ("representative", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_progress_list_matrix(api_as, roles_world, persona, expected):
    lead, _family = final_review(roles_world)
    response = api_as(roles_world.person(persona)).get(f"/api/v1/roles/{lead.pk}/progress/")
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("member", 200),
        ("peer", 200),
        ("representative", 403),
        ("auditor", 403),
        ("admin", 403),  # sees the network, coordinates none of its work
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_role_load_matrix(api_as, roles_world, persona, expected):
    url = f"/api/v1/networks/{roles_world.world.network.pk}/role-load/"
    assert api_as(roles_world.person(persona)).get(url).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 201),
        ("member", 403),  # invited to the convened meeting, not its coordinator
        ("representative", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_follow_up_round_matrix(api_as, roles_world, persona, expected):
    final_review(roles_world)
    client = api_as(roles_world.world.coordinator)
    meeting = client.post(
        "/api/v1/meetings/",
        {
            "network": roles_world.world.network.pk,
            "kind": "practitioners_meeting",
            "title": "実務者会議",
            "starts_at": "2027-01-20T14:00:00+09:00",
            "ends_at": "2027-01-20T16:00:00+09:00",
        },
        format="json",
    ).json()
    assert client.post(f"/api/v1/meetings/{meeting['id']}/convene/").status_code == 200
    response = api_as(roles_world.person(persona)).post(
        f"/api/v1/meetings/{meeting['id']}/agenda-items/role-tasks/"
    )
    assert response.status_code == expected
