"""`GET, PATCH /api/v1/users/{id}/` (API.md, "Accounts, agencies, networks"): read as the list
shows accounts; platform admins change any account, coordinators the staff of agencies they
manage, and only platform admins move a person to another agency. Moving or deactivating a
person ends at once their tokens, sessions, seats and what their agency and invitations gave
them."""

import pytest
from django.test import Client
from knox.models import AuthToken

from agencies.models import User, UserSession
from network.models import Membership, StaffRole, Tier
from tests.agencies.conftest import PERSONAS
from tests.factories import AgencyFactory, UserFactory, give_role, seat


def url(user_or_pk) -> str:
    return f"/api/v1/users/{getattr(user_or_pk, 'pk', user_or_pk)}/"


DETAIL_FIELDS = {
    "id",
    "username",
    "display_name",
    "email",
    "agency",
    "job_title",
    "qualifications",
    "is_active",
}


# --- GET ----------------------------------------------------------------------------------

READ = {
    "admin": 200,
    "coordinator": 200,  # the clinic sits in network A
    "member": 200,  # oneself
    "colleague": 200,  # the same agency
    "representative": 404,  # another agency: not in their list
    "auditor": 404,
    "stranger": 404,  # network B
    "other_coordinator": 404,  # network B's coordinator
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", [*PERSONAS, "other_coordinator"])
def test_read_matrix(world, client_for, persona):
    response = client_for(persona).get(url(world.member))
    assert response.status_code == READ[persona], response.content
    if response.status_code == 200:
        assert set(response.json()) == DETAIL_FIELDS
        assert response.json()["username"] == "member"
        assert "password" not in response.content.decode()
    elif response.status_code == 404:
        assert "member" not in response.content.decode()


@pytest.mark.parametrize("persona", ["admin", "coordinator", "member", "colleague"])
def test_read_agrees_with_the_list(world, client_for, persona):
    client = client_for(persona)
    listed = {u["id"] for u in client.get("/api/v1/users/", {"page_size": 200}).json()["results"]}
    for user in User.objects.all():
        assert (client.get(url(user)).status_code == 200) == (user.pk in listed), user.username


@pytest.mark.parametrize("pk", ["999999", "abc", "１", "-1"])
def test_unknown_account_is_404(world, client_for, pk):
    assert client_for("admin").get(url(pk)).status_code == 404


# --- PATCH: who may -----------------------------------------------------------------------

WRITE = {
    "admin": (200, None),
    "coordinator": (200, None),  # manages the clinic (it sits only in network A)
    "member": (403, "not_your_agency"),  # sees themselves, changes nothing
    "colleague": (403, "not_your_agency"),
    "representative": (404, None),
    "auditor": (404, None),
    "stranger": (404, None),
    "other_coordinator": (404, None),
    "anonymous": (401, None),
}


@pytest.mark.parametrize("persona", [*PERSONAS, "other_coordinator"])
def test_write_matrix(world, client_for, persona):
    expected, code = WRITE[persona]
    response = client_for(persona).patch(
        url(world.member), {"job_title": "主任相談員"}, format="json"
    )
    assert response.status_code == expected, response.content
    if code:
        assert response.json()["code"] == code
    world.member.refresh_from_db()
    assert (world.member.job_title == "主任相談員") == (expected == 200)
    if expected == 200:
        assert response.json()["job_title"] == "主任相談員"


def test_a_coordinator_may_not_change_staff_of_an_agency_also_in_another_network(
    world, agencies, client_for
):
    shared_staff = UserFactory(username="shared_staff", agency=agencies["shared"])
    response = client_for("coordinator").patch(
        url(shared_staff), {"is_active": False}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_your_agency")
    shared_staff.refresh_from_db()
    assert shared_staff.is_active


def test_a_coordinator_may_not_change_someone_with_a_role_in_another_network(world, client_for):
    give_role(world.other_network, world.colleague, StaffRole.Role.AUDITOR)
    response = client_for("coordinator").patch(
        url(world.colleague), {"display_name": "改名"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_your_agency")


def test_a_coordinator_cannot_see_another_networks_staff(world, client_for):
    response = client_for("coordinator").patch(
        url(world.stranger), {"is_active": False}, format="json"
    )
    assert response.status_code == 404
    world.stranger.refresh_from_db()
    assert world.stranger.is_active


def test_a_coordinator_cannot_move_a_person_to_another_agency(world, agencies, client_for):
    response = client_for("coordinator").patch(
        url(world.member), {"agency": agencies["secretariat"].pk}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "platform_admin_only")
    world.member.refresh_from_db()
    assert world.member.agency == agencies["clinic"]


def test_a_coordinator_cannot_take_a_person_out_of_every_agency(world, client_for):
    response = client_for("coordinator").patch(url(world.member), {"agency": None}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "platform_admin_only")


def test_sending_the_agency_a_person_already_has_changes_nothing(world, client_for):
    response = client_for("coordinator").patch(
        url(world.member), {"agency": world.member.agency_id, "job_title": "係長"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["agency"] == world.member.agency_id


def test_the_platform_admin_moves_a_person(world, agencies, client_for):
    response = client_for("admin").patch(
        url(world.member), {"agency": agencies["secretariat"].pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["agency"] == agencies["secretariat"].pk
    world.member.refresh_from_db()
    assert world.member.agency == agencies["secretariat"]
    assert world.member.groups.filter(name=f"agency:{agencies['secretariat'].pk}").exists()
    assert not world.member.groups.filter(name=f"agency:{agencies['clinic'].pk}").exists()


def test_a_coordinator_changes_the_profile_fields(world, client_for):
    body = {
        "display_name": "実務 一郎（改）",
        "email": "ichiro@example.jp",
        "job_title": "主任",
        "qualifications": ["public_health_nurse", "nurse"],
    }
    response = client_for("coordinator").patch(url(world.member), body, format="json")
    assert response.status_code == 200
    assert {k: response.json()[k] for k in body} == body
    world.member.refresh_from_db()
    assert world.member.qualifications == ["public_health_nurse", "nurse"]


def test_a_coordinator_deactivates_and_reactivates_staff_they_manage(world, client_for):
    client = client_for("coordinator")
    off = client.patch(url(world.colleague), {"is_active": False}, format="json")
    assert (off.status_code, off.json()["is_active"]) == (200, False)
    # Still theirs to see, so that they can undo it; others no longer list the account.
    assert client.get(url(world.colleague)).status_code == 200
    assert client_for("member").get(url(world.colleague)).status_code == 404
    on = client.patch(url(world.colleague), {"is_active": True}, format="json")
    assert (on.status_code, on.json()["is_active"]) == (200, True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"qualifications": ["wizard"]}, "qualifications"),
        ({"qualifications": "nurse"}, "qualifications"),
        ({"is_active": "perhaps"}, "is_active"),
        ({"agency": 999999}, "agency"),
        ({"agency": "abc"}, "agency"),
        ({"job_title": "x" * 101}, "job_title"),
    ],
)
def test_bad_input_is_400_on_the_field(world, client_for, body, field):
    response = client_for("admin").patch(url(world.member), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_moving_to_an_inactive_agency_is_400(world, client_for):
    closed = AgencyFactory(active=False)
    response = client_for("admin").patch(url(world.member), {"agency": closed.pk}, format="json")
    assert response.status_code == 400
    assert "agency" in response.json()
    world.member.refresh_from_db()
    assert world.member.agency_id != closed.pk


# --- PATCH: what leaving ends -------------------------------------------------------------


@pytest.fixture
def signed_in(world):
    """The member and their colleague, each with two API tokens and a browser session."""

    def sign_in(user):
        tokens = [AuthToken.objects.create(user=user)[1] for _ in range(2)]
        browser = Client()
        browser.force_login(user)
        return tokens, browser

    return {"member": sign_in(world.member), "colleague": sign_in(world.colleague)}


def token_works(token) -> bool:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/me/").status_code == 200


def session_works(browser) -> bool:
    return browser.get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(
    ("persona", "body"),
    [
        ("admin", {"agency": "secretariat"}),
        ("admin", {"agency": None}),
        ("admin", {"is_active": False}),
        ("coordinator", {"is_active": False}),
    ],
)
def test_moving_or_deactivating_ends_tokens_sessions_and_seats(
    world, agencies, client_for, signed_in, persona, body
):
    if body.get("agency"):
        body = {"agency": agencies[body["agency"]].pk}
    tokens, browser = signed_in["member"]
    assert all(token_works(t) for t in tokens) and session_works(browser)
    seat_ = Membership.objects.get(network=world.network, agency=world.member.agency)
    assert world.member in seat_.designated_people.all()

    response = client_for(persona).patch(url(world.member), body, format="json")
    assert response.status_code == 200, response.content

    assert not any(token_works(t) for t in tokens)
    assert not session_works(browser)
    assert not AuthToken.objects.filter(user=world.member).exists()
    assert not UserSession.objects.filter(user=world.member).exists()
    assert world.member not in seat_.designated_people.all()
    # The colleague, still in the agency, is left alone.
    colleague_tokens, colleague_browser = signed_in["colleague"]
    assert all(token_works(t) for t in colleague_tokens) and session_works(colleague_browser)


def test_changing_only_the_profile_ends_nothing(world, client_for, signed_in):
    response = client_for("coordinator").patch(
        url(world.member), {"display_name": "新しい表示名", "email": "m@example.jp"}, format="json"
    )
    assert response.status_code == 200
    tokens, browser = signed_in["member"]
    assert all(token_works(t) for t in tokens) and session_works(browser)
    seat_ = Membership.objects.get(network=world.network, agency=world.member.agency)
    assert world.member in seat_.designated_people.all()


def test_a_person_moved_keeps_seats_of_their_new_agency(world, client_for):
    """Seats of the agency joined (designated after the move) stay; only the old go."""
    newcomer_agency = AgencyFactory(name="転入先")
    old_seat = Membership.objects.get(network=world.network, agency=world.member.agency)
    moved = client_for("admin").patch(
        url(world.member), {"agency": newcomer_agency.pk}, format="json"
    )
    assert moved.status_code == 200
    world.member.refresh_from_db()
    new_seat = seat(world.network, newcomer_agency, Tier.PRACTITIONERS, people=[world.member])
    client_for("admin").patch(url(world.member), {"job_title": "相談員"}, format="json")
    assert list(new_seat.designated_people.all()) == [world.member]
    assert world.member not in old_seat.designated_people.all()


def test_a_deactivated_persons_calendar_feed_secret_is_withdrawn(world, client_for):
    from conferences.meetings.calendars import calendar_token_of, calendar_token_renew

    calendar_token_renew(world.member)
    client_for("coordinator").patch(url(world.member), {"is_active": False}, format="json")
    assert calendar_token_of(world.member) is None


def test_update_is_one_transaction(world, agencies, client_for, signed_in, monkeypatch):
    """If ending the sessions fails, nothing of the move is kept: not the agency, not the
    tokens deleted before."""
    from agencies import sessions

    def broken(*args, **kwargs):
        raise RuntimeError("session store down")

    monkeypatch.setattr(sessions, "sessions_end", broken)
    client = client_for("admin")
    client.raise_request_exception = False
    response = client.patch(
        url(world.member), {"agency": agencies["secretariat"].pk}, format="json"
    )
    assert response.status_code == 500
    world.member.refresh_from_db()
    assert world.member.agency == agencies["clinic"]
    assert AuthToken.objects.filter(user=world.member).count() == 2
    seat_ = Membership.objects.get(network=world.network, agency=world.member.agency)
    assert world.member in seat_.designated_people.all()
