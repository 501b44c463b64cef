"""`GET, POST /api/v1/users/` (API.md, "Accounts, agencies, networks"): platform admins create
any account, coordinators accounts for agencies they manage; a list shows one's own agency's
staff and, to coordinators, the staff of agencies in networks they coordinate."""

import pytest

from agencies.models import User
from network.models import Tier
from tests.agencies.conftest import NETWORK_A_PEOPLE
from tests.factories import PASSWORD, UserFactory, seat

USERS = "/api/v1/users/"
STRONG_PASSWORD = "kirin-to-sakura-no-yoru"
CONTRACT_FIELDS = {
    "id",
    "username",
    "display_name",
    "email",
    "agency",
    "job_title",
    "qualifications",
}


def new_user(agency=None, **overrides) -> dict:
    """A valid request body; `agency` is an Agency, None, or a raw value sent as is."""
    body = {
        "username": "newcomer",
        "password": STRONG_PASSWORD,
        "display_name": "新任 五郎",
        "email": "goro@example.jp",
        "job_title": "相談員",
        "qualifications": ["psychiatric_social_worker"],
        "agency": getattr(agency, "pk", agency),
    }
    return {**body, **overrides}


def usernames(response) -> set[str]:
    return {u["username"] for u in response.json()["results"]}


# --- POST /users/ -----------------------------------------------------------------------

CREATE = [
    ("clinic", "admin", 201, None),
    ("clinic", "coordinator", 201, None),
    ("clinic", "member", 403, "not_your_agency"),
    ("clinic", "colleague", 403, "not_your_agency"),
    ("clinic", "representative", 403, "not_your_agency"),
    ("clinic", "auditor", 403, "not_your_agency"),
    ("clinic", "stranger", 403, "not_your_agency"),
    ("clinic", "other_coordinator", 403, "not_your_agency"),
    ("clinic", "anonymous", 401, "not_authenticated"),
    ("secretariat", "coordinator", 201, None),
    # Sits in both networks: an account made by either coordinator would see the other's.
    ("shared", "coordinator", 403, "not_your_agency"),
    ("shared", "other_coordinator", 403, "not_your_agency"),
    ("shared", "admin", 201, None),
    ("unseated", "coordinator", 201, None),
    ("unseated", "other_coordinator", 201, None),
    ("unseated", "member", 403, "not_your_agency"),
    ("stranger_agency", "admin", 201, None),
    ("stranger_agency", "coordinator", 403, "not_your_agency"),
    ("stranger_agency", "stranger", 403, "not_your_agency"),
    ("stranger_agency", "other_coordinator", 201, None),
    ("other_secretariat", "coordinator", 403, "not_your_agency"),
    ("none", "admin", 201, None),
    ("none", "coordinator", 403, "platform_admin_only"),
    ("none", "member", 403, "platform_admin_only"),
    ("none", "auditor", 403, "platform_admin_only"),
    ("none", "anonymous", 401, "not_authenticated"),
]


@pytest.mark.parametrize(("target", "persona", "expected", "code"), CREATE)
def test_create_user_status_by_persona(
    world, agencies, client_for, target, persona, expected, code
):
    response = client_for(persona).post(USERS, new_user(agencies[target]), format="json")
    assert response.status_code == expected, response.content
    if code:
        assert response.json()["code"] == code
    assert User.objects.filter(username="newcomer").exists() == (expected == 201)


def test_create_user_stores_the_account_in_the_agency(world, client_for):
    clinic = world.member.agency
    response = client_for("coordinator").post(USERS, new_user(clinic), format="json")
    user = User.objects.get(pk=response.json()["id"])
    assert (user.username, user.display_name, user.email, user.job_title) == (
        "newcomer",
        "新任 五郎",
        "goro@example.jp",
        "相談員",
    )
    assert user.agency == clinic
    assert user.qualifications == ["psychiatric_social_worker"]
    assert user.is_active and not user.is_staff and not user.is_superuser


def test_create_user_returns_contract_fields_without_password(world, client_for):
    response = client_for("admin").post(USERS, new_user(world.member.agency), format="json")
    assert response.status_code == 201
    assert set(response.json()) == CONTRACT_FIELDS
    assert STRONG_PASSWORD not in response.content.decode()


def test_create_user_stores_the_password_hashed(world, client_for):
    client_for("admin").post(USERS, new_user(world.member.agency), format="json")
    user = User.objects.get(username="newcomer")
    assert user.password != STRONG_PASSWORD
    assert STRONG_PASSWORD not in user.password
    assert user.check_password(STRONG_PASSWORD)


def test_create_user_ignores_privilege_fields_in_the_body(world, client_for):
    body = new_user(world.member.agency, is_superuser=True, is_staff=True, is_active=False)
    response = client_for("coordinator").post(USERS, body, format="json")
    assert response.status_code == 201, response.content
    user = User.objects.get(username="newcomer")
    assert (user.is_superuser, user.is_staff, user.is_active) == (False, False, True)


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("Zq8#vLp", id="too_short"),
        pytest.param("qwertyuiop", id="too_common"),
        pytest.param("8203948571029", id="entirely_numeric"),
        pytest.param("newcomer-2024", id="like_the_username"),
    ],
)
def test_create_user_refuses_weak_password(world, client_for, password):
    body = new_user(world.member.agency, password=password)
    response = client_for("admin").post(USERS, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"password"}
    assert response.json()["password"]
    assert not User.objects.filter(username="newcomer").exists()


def test_create_user_refuses_unknown_qualification(world, client_for):
    body = new_user(world.member.agency, qualifications=["nurse", "wizard"])
    response = client_for("admin").post(USERS, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"qualifications"}
    assert not User.objects.filter(username="newcomer").exists()


def test_create_user_drops_repeated_qualifications_keeping_order(world, client_for):
    body = new_user(world.member.agency, qualifications=["nurse", "lawyer", "nurse"])
    response = client_for("admin").post(USERS, body, format="json")
    assert response.json()["qualifications"] == ["nurse", "lawyer"]
    assert User.objects.get(username="newcomer").qualifications == ["nurse", "lawyer"]


def test_create_user_refuses_taken_username(world, client_for):
    body = new_user(world.member.agency, username="member", display_name="なりすまし")
    response = client_for("admin").post(USERS, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username"}
    member = User.objects.get(username="member")
    assert member.display_name == "実務 一郎"
    assert member.check_password(PASSWORD)


def test_create_user_refuses_agency_that_does_not_exist(world, client_for):
    response = client_for("admin").post(USERS, new_user(agency=999999), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"agency"}
    assert not User.objects.filter(username="newcomer").exists()


def test_create_user_refuses_non_integer_agency(world, client_for):
    response = client_for("admin").post(USERS, new_user(agency="clinic"), format="json")
    assert response.status_code == 400
    assert isinstance(response.json()["agency"], list)


def test_create_user_refuses_inactive_agency(world, client_for):
    clinic = world.member.agency
    clinic.active = False
    clinic.save(update_fields=["active"])
    response = client_for("coordinator").post(USERS, new_user(clinic), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"agency"}
    assert not User.objects.filter(username="newcomer").exists()


def test_create_user_requires_display_name(world, client_for):
    body = new_user(world.member.agency, display_name="")
    response = client_for("admin").post(USERS, body, format="json")
    assert response.status_code == 400
    assert isinstance(response.json()["display_name"], list)


def test_create_user_requires_username_and_password(world, client_for):
    response = client_for("admin").post(USERS, {"display_name": "名前だけ"}, format="json")
    assert response.status_code == 400
    assert {"username", "password"} <= set(response.json())


def test_create_user_refuses_invalid_email(world, client_for):
    body = new_user(world.member.agency, email="not-an-address")
    response = client_for("admin").post(USERS, body, format="json")
    assert response.status_code == 400
    assert isinstance(response.json()["email"], list)


def test_create_user_refuses_malformed_json(world, client_for):
    before = User.objects.count()
    response = client_for("admin").post(
        USERS, data='{"username": "x",', content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code"}
    assert response.json()["code"] == "parse_error"
    assert User.objects.count() == before


def test_create_user_refused_person_learns_nothing_about_taken_usernames(world, client_for):
    # "stranger" exists, in network B: a member of network A must not learn that.
    body = new_user(world.member.agency, username="stranger")
    response = client_for("member").post(USERS, body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_agency"


def test_create_user_without_agency_refused_before_username_is_checked(world, client_for):
    response = client_for("coordinator").post(USERS, new_user(username="stranger"), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "platform_admin_only"


def test_create_user_refused_before_password_strength_is_judged(world, client_for):
    # A stranger learns nothing about the validators: 403 whatever the password.
    body = new_user(world.member.agency, password="123")
    response = client_for("stranger").post(USERS, body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_agency"


# --- GET /users/ ------------------------------------------------------------------------

VISIBLE = {
    "admin": {
        "admin",
        "coordinator",
        "auditor",
        "member",
        "colleague",
        "representative",
        "stranger",
        "other_coordinator",
    },
    "coordinator": {"coordinator", "member", "colleague", "representative"},
    "member": {"member", "colleague"},
    "colleague": {"member", "colleague"},
    "representative": {"representative"},
    "auditor": {"auditor"},
    "stranger": {"stranger"},
    "other_coordinator": {"other_coordinator", "stranger"},
}


@pytest.mark.parametrize(("persona", "expected"), VISIBLE.items())
def test_list_users_shows_the_people_one_works_with(world, client_for, persona, expected):
    response = client_for(persona).get(USERS)
    assert response.status_code == 200
    assert usernames(response) == expected


def test_list_users_refuses_anonymous(world, client_for):
    response = client_for("anonymous").get(USERS)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("persona", NETWORK_A_PEOPLE)
def test_list_users_never_shows_network_b_people_to_network_a_people(world, client_for, persona):
    response = client_for(persona).get(USERS, {"page_size": 200})
    assert not usernames(response) & {"stranger", "other_coordinator"}


def test_list_users_filtered_by_a_foreign_agency_is_empty(world, client_for):
    response = client_for("coordinator").get(USERS, {"agency": world.stranger.agency_id})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_list_users_filters_by_agency(world, client_for):
    response = client_for("coordinator").get(USERS, {"agency": world.member.agency_id})
    assert usernames(response) == {"member", "colleague"}


def test_list_users_refuses_non_integer_agency_filter(world, client_for):
    response = client_for("coordinator").get(USERS, {"agency": "abc"})
    assert response.status_code == 400
    assert "agency" in response.json()


def test_list_users_shows_staff_of_an_agency_once_it_joins_a_coordinated_network(
    world, agencies, client_for
):
    UserFactory(username="newcomer", agency=agencies["unseated"])
    seat(world.network, agencies["unseated"], Tier.PRACTITIONERS)
    response = client_for("coordinator").get(USERS)
    assert "newcomer" in usernames(response)


def test_list_users_hides_deactivated_colleague(world, client_for):
    world.colleague.is_active = False
    world.colleague.save(update_fields=["is_active"])
    response = client_for("member").get(USERS)
    assert usernames(response) == {"member"}


def test_list_users_never_returns_passwords(world, client_for):
    response = client_for("admin").get(USERS)
    assert all("password" not in u for u in response.json()["results"])
    assert set(response.json()["results"][0]) == CONTRACT_FIELDS


def test_list_users_has_pagination_shape(world, client_for):
    response = client_for("admin").get(USERS, {"page_size": 3})
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == User.objects.count()
    assert len(body["results"]) == 3
    assert body["previous"] is None
    assert "page=2" in body["next"]


def test_list_users_caps_page_size_at_200(world, client_for):
    clinic = world.member.agency
    User.objects.bulk_create(
        User(username=f"staff{i:03}", display_name=f"職員{i}", agency=clinic) for i in range(205)
    )
    response = client_for("coordinator").get(USERS, {"page_size": 1000})
    body = response.json()
    assert body["count"] > 200
    assert len(body["results"]) == 200


@pytest.mark.parametrize("persona", ["admin", "coordinator", "member"])
@pytest.mark.parametrize(("rows", "page_size"), [(5, None), (30, None), (30, 200)])
def test_list_users_query_count_is_independent_of_rows_and_page_size(
    world, client_for, django_assert_max_num_queries, persona, rows, page_size
):
    UserFactory.create_batch(rows, agency=world.member.agency)
    client = client_for(persona)
    params = {"page_size": page_size} if page_size else {}
    with django_assert_max_num_queries(2):
        response = client.get(USERS, params)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= min(rows, page_size or 50)
