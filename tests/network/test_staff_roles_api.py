"""`GET/POST /networks/{id}/staff-roles/` and `DELETE /networks/{id}/staff-roles/{rid}/`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import get_perms

from agencies.models import User
from network.models import StaffRole
from tests.factories import UserFactory, give_role

COORDINATE = "network.coordinate_network"
AUDIT = "network.audit_network"
VIEW = "network.view_network"

# Network A is visible to these; only coordinators and the admin manage its staff roles.
MAY_MANAGE = ["coordinator", "admin"]
SEES_BUT_MAY_NOT_MANAGE = ["auditor", "member", "colleague", "representative"]
MATRIX = (
    [(p, "ok") for p in MAY_MANAGE]
    + [(p, 403) for p in SEES_BUT_MAY_NOT_MANAGE]
    + [("stranger", 404), ("anonymous", 401)]
)


def roles_url(network) -> str:
    return f"/api/v1/networks/{network.pk}/staff-roles/"


def role_url(network, role_id) -> str:
    return f"/api/v1/networks/{network.pk}/staff-roles/{role_id}/"


def fresh(user: User) -> User:
    """A new instance, so nothing cached on the old one answers a permission check."""
    return User.objects.get(pk=user.pk)


def coordinator_role(world) -> StaffRole:
    return StaffRole.objects.get(network=world.network, user=world.coordinator)


# --- list ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), MATRIX)
def test_list_matrix(world, api_as, persona, expected):
    response = api_as(world.person(persona)).get(roles_url(world.network))

    assert response.status_code == (200 if expected == "ok" else expected), response.content


def test_list_holds_exactly_the_networks_roles(world, api_as):
    give_role(world.other_network, UserFactory(agency=None), StaffRole.Role.AUDITOR)

    response = api_as(world.coordinator).get(roles_url(world.network))

    ids = {row["id"] for row in response.json()["results"]}
    assert ids == set(StaffRole.objects.filter(network=world.network).values_list("pk", flat=True))
    assert {(row["user"], row["role"]) for row in response.json()["results"]} == {
        (world.coordinator.pk, "coordinator"),
        (world.auditor.pk, "auditor"),
    }
    assert all(row["network"] == world.network.pk for row in response.json()["results"])


def test_list_rows_carry_display_names(world, api_as):
    rows = api_as(world.coordinator).get(roles_url(world.network)).json()["results"]

    by_user = {row["user"]: row for row in rows}
    assert by_user[world.coordinator.pk]["display_name"] == "事務局 太郎"
    assert by_user[world.coordinator.pk]["role_display"]


def test_list_filters_by_role(world, api_as):
    response = api_as(world.coordinator).get(roles_url(world.network), {"role": "auditor"})

    assert [row["user"] for row in response.json()["results"]] == [world.auditor.pk]


@pytest.mark.parametrize("query", [{"role": "chair"}, {"user": "abc"}])
def test_list_with_a_bad_filter_is_400(world, api_as, query):
    response = api_as(world.coordinator).get(roles_url(world.network), query)

    assert response.status_code == 400


def test_list_query_count_does_not_grow_with_the_number_of_roles(
    world, api_as, django_assert_max_num_queries
):
    client = api_as(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(roles_url(world.network)).json()["count"] == 2
    for _ in range(15):
        give_role(world.network, UserFactory(agency=None), StaffRole.Role.AUDITOR)

    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as many:
        assert client.get(roles_url(world.network)).json()["count"] == 17

    assert len(many) == len(few)


@pytest.mark.parametrize("network_id", ["999999", "abc"])
def test_list_of_a_missing_network_is_404(world, api_as, network_id):
    response = api_as(world.admin).get(f"/api/v1/networks/{network_id}/staff-roles/")

    assert response.status_code == 404


# --- add ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), MATRIX)
def test_add_matrix(world, api_as, persona, expected):
    newcomer = UserFactory(agency=world.coordinator.agency)

    response = api_as(world.person(persona)).post(
        roles_url(world.network), {"user": newcomer.pk, "role": "coordinator"}, format="json"
    )

    assert response.status_code == (201 if expected == "ok" else expected), response.content
    exists = StaffRole.objects.filter(network=world.network, user=newcomer).exists()
    assert exists is (expected == "ok")


def test_adding_a_coordinator_grants_the_guardian_permissions(world, api_as):
    newcomer = UserFactory(agency=world.coordinator.agency)
    assert not newcomer.has_perm(COORDINATE, world.network)

    response = api_as(world.coordinator).post(
        roles_url(world.network), {"user": newcomer.pk, "role": "coordinator"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["user"] == newcomer.pk
    assert response.json()["network"] == world.network.pk
    newcomer = fresh(newcomer)
    assert newcomer.has_perm(COORDINATE, world.network)
    assert newcomer.has_perm(VIEW, world.network)
    assert not newcomer.has_perm(COORDINATE, world.other_network)
    assert set(get_perms(newcomer, world.network)) == {"view_network", "coordinate_network"}


def test_adding_an_auditor_grants_view_and_audit_but_not_coordinate(world, api_as):
    newcomer = UserFactory(agency=None)  # an account without agency: the admin's to place

    response = api_as(world.admin).post(
        roles_url(world.network), {"user": newcomer.pk, "role": "auditor"}, format="json"
    )

    assert response.status_code == 201
    newcomer = fresh(newcomer)
    assert newcomer.has_perm(AUDIT, world.network)
    assert newcomer.has_perm(VIEW, world.network)
    assert not newcomer.has_perm(COORDINATE, world.network)


def test_a_new_coordinator_can_then_update_the_network(world, api_as):
    newcomer = UserFactory(agency=world.coordinator.agency)
    api_as(world.coordinator).post(
        roles_url(world.network), {"user": newcomer.pk, "role": "coordinator"}, format="json"
    )

    response = api_as(fresh(newcomer)).patch(
        f"/api/v1/networks/{world.network.pk}/", {"content_window_days": 7}, format="json"
    )

    assert response.status_code == 200, response.content
    world.network.refresh_from_db()
    assert world.network.content_window_days == 7


def test_repeating_an_existing_role_answers_200_without_a_duplicate(world, api_as):
    existing = coordinator_role(world)

    response = api_as(world.admin).post(
        roles_url(world.network),
        {"user": world.coordinator.pk, "role": "coordinator"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["id"] == existing.pk
    assert StaffRole.objects.filter(network=world.network, user=world.coordinator).count() == 1


def test_one_person_may_hold_both_roles(world, api_as):
    response = api_as(world.coordinator).post(
        roles_url(world.network), {"user": world.auditor.pk, "role": "coordinator"}, format="json"
    )

    assert response.status_code == 201
    roles = StaffRole.objects.filter(network=world.network, user=world.auditor)
    assert set(roles.values_list("role", flat=True)) == {"auditor", "coordinator"}
    auditor = fresh(world.auditor)
    assert auditor.has_perm(COORDINATE, world.network)
    assert auditor.has_perm(AUDIT, world.network)


def test_adding_a_role_to_an_inactive_account_is_400(world, api_as):
    inactive = UserFactory(agency=None, is_active=False)

    response = api_as(world.coordinator).post(
        roles_url(world.network), {"user": inactive.pk, "role": "auditor"}, format="json"
    )

    assert response.status_code == 400
    assert "user" in response.json()
    assert not StaffRole.objects.filter(user=inactive).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "auditor"}, "user"),
        ({"user": "USER"}, "role"),
        ({"user": "USER", "role": "chair"}, "role"),
        ({"user": "USER", "role": ""}, "role"),
        ({"user": "abc", "role": "auditor"}, "user"),
        ({"user": 999_999, "role": "auditor"}, "user"),
        ({"user": 10**30, "role": "auditor"}, "user"),
        ({"user": ["USER"], "role": "auditor"}, "user"),
        ({"user": "USER", "role": ["auditor"]}, "role"),
    ],
)
def test_add_refuses_bad_input_with_a_field_error(world, api_as, body, field):
    newcomer = UserFactory(agency=None)
    body = {
        k: (newcomer.pk if v == "USER" else [newcomer.pk] if v == ["USER"] else v)
        for k, v in body.items()
    }

    response = api_as(world.coordinator).post(roles_url(world.network), body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not StaffRole.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("body", ["{", "[]", "null", "user=1"])
def test_add_with_malformed_json_is_400(world, api_as, body):
    before = StaffRole.objects.count()

    response = api_as(world.coordinator).post(
        roles_url(world.network), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert StaffRole.objects.count() == before


def test_coordinator_cannot_give_a_role_to_an_account_they_cannot_list(world, api_as):
    response = api_as(world.coordinator).post(
        roles_url(world.network), {"user": world.stranger.pk, "role": "auditor"}, format="json"
    )

    assert response.status_code == 400
    assert "user" in response.json()
    assert not StaffRole.objects.filter(user=world.stranger, network=world.network).exists()


def test_network_in_the_body_is_ignored(world, api_as):
    newcomer = UserFactory(agency=world.coordinator.agency)

    response = api_as(world.coordinator).post(
        roles_url(world.network),
        {"user": newcomer.pk, "role": "auditor", "network": world.other_network.pk},
        format="json",
    )

    assert response.status_code == 201
    assert StaffRole.objects.get(user=newcomer).network == world.network


# --- remove -------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), MATRIX)
def test_remove_matrix(world, api_as, persona, expected):
    role = StaffRole.objects.get(network=world.network, user=world.auditor)

    response = api_as(world.person(persona)).delete(role_url(world.network, role.pk))

    assert response.status_code == (204 if expected == "ok" else expected), response.content
    assert StaffRole.objects.filter(pk=role.pk).exists() is (expected != "ok")


def test_removing_a_coordinator_revokes_the_guardian_permissions(world, api_as):
    second = UserFactory(agency=world.coordinator.agency)
    role = give_role(world.network, second, StaffRole.Role.COORDINATOR)
    assert fresh(second).has_perm(COORDINATE, world.network)

    response = api_as(world.coordinator).delete(role_url(world.network, role.pk))

    assert response.status_code == 204
    assert not StaffRole.objects.filter(pk=role.pk).exists()
    second = fresh(second)
    assert not second.has_perm(COORDINATE, world.network)
    assert not second.has_perm(VIEW, world.network)
    assert get_perms(second, world.network) == []


def test_a_removed_coordinator_no_longer_sees_the_network(world, api_as):
    second = UserFactory(agency=world.coordinator.agency)
    role = give_role(world.network, second, StaffRole.Role.COORDINATOR)
    api_as(world.coordinator).delete(role_url(world.network, role.pk))

    response = api_as(fresh(second)).get(f"/api/v1/networks/{world.network.pk}/")

    assert response.status_code == 404


def test_removing_the_auditor_role_revokes_audit(world, api_as):
    role = StaffRole.objects.get(network=world.network, user=world.auditor)

    response = api_as(world.coordinator).delete(role_url(world.network, role.pk))

    assert response.status_code == 204
    auditor = fresh(world.auditor)
    assert not auditor.has_perm(AUDIT, world.network)
    assert not auditor.has_perm(VIEW, world.network)


def test_removing_one_of_two_roles_keeps_what_the_other_grants(world, api_as):
    coordinator_of_auditor = give_role(world.network, world.auditor, StaffRole.Role.COORDINATOR)

    response = api_as(world.coordinator).delete(role_url(world.network, coordinator_of_auditor.pk))

    assert response.status_code == 204
    auditor = fresh(world.auditor)
    assert not auditor.has_perm(COORDINATE, world.network)
    assert auditor.has_perm(AUDIT, world.network)
    assert auditor.has_perm(VIEW, world.network)


def test_removing_the_last_coordinator_is_409_and_deletes_nothing(world, api_as):
    role = coordinator_role(world)

    response = api_as(world.admin).delete(role_url(world.network, role.pk))

    assert response.status_code == 409
    assert response.json()["code"] == "last_coordinator"
    assert response.json()["detail"]
    assert StaffRole.objects.filter(pk=role.pk).exists()
    assert fresh(world.coordinator).has_perm(COORDINATE, world.network)


def test_the_last_coordinator_cannot_remove_themselves(world, api_as):
    role = coordinator_role(world)

    response = api_as(world.coordinator).delete(role_url(world.network, role.pk))

    assert response.status_code == 409
    assert StaffRole.objects.filter(pk=role.pk).exists()


def test_with_two_coordinators_one_may_go_and_the_other_is_then_the_last(world, api_as):
    second = UserFactory(agency=world.coordinator.agency)
    give_role(world.network, second, StaffRole.Role.COORDINATOR)
    client = api_as(world.admin)

    first = client.delete(role_url(world.network, coordinator_role(world).pk))
    last = StaffRole.objects.get(network=world.network, user=second)
    then = client.delete(role_url(world.network, last.pk))

    assert first.status_code == 204
    assert then.status_code == 409
    assert list(
        StaffRole.objects.filter(network=world.network, role="coordinator").values_list(
            "user", flat=True
        )
    ) == [second.pk]


def test_the_last_coordinator_of_another_network_does_not_count(world, api_as):
    """Network B's coordinator does not make network A's only coordinator removable."""
    role = coordinator_role(world)
    assert StaffRole.objects.filter(network=world.other_network, role="coordinator").exists()

    response = api_as(world.admin).delete(role_url(world.network, role.pk))

    assert response.status_code == 409


def test_removing_a_role_of_another_network_through_this_one_is_404(world, api_as):
    other_role = StaffRole.objects.get(network=world.other_network)

    response = api_as(world.coordinator).delete(role_url(world.network, other_role.pk))

    assert response.status_code == 404
    assert StaffRole.objects.filter(pk=other_role.pk).exists()


@pytest.mark.parametrize("role_id", ["999999", "abc", "1.0", "-1"])
def test_removing_a_missing_role_is_404(world, api_as, role_id):
    before = StaffRole.objects.count()

    response = api_as(world.coordinator).delete(role_url(world.network, role_id))

    assert response.status_code == 404
    assert StaffRole.objects.count() == before


def test_removing_from_a_missing_network_is_404(world, api_as):
    role = coordinator_role(world)

    response = api_as(world.admin).delete(f"/api/v1/networks/999999/staff-roles/{role.pk}/")

    assert response.status_code == 404
    assert StaffRole.objects.filter(pk=role.pk).exists()


def test_adding_a_coordinator_opens_the_admin_to_them(world, api_as):
    newcomer = UserFactory(agency=world.coordinator.agency)
    assert not newcomer.is_staff

    api_as(world.coordinator).post(
        roles_url(world.network), {"user": newcomer.pk, "role": "coordinator"}, format="json"
    )

    assert fresh(newcomer).is_staff


def test_an_auditor_role_does_not_open_the_admin(world, api_as):
    newcomer = UserFactory(agency=None)

    api_as(world.coordinator).post(
        roles_url(world.network), {"user": newcomer.pk, "role": "auditor"}, format="json"
    )

    assert not fresh(newcomer).is_staff


def test_removing_the_last_coordinator_role_of_a_person_closes_the_admin(world, api_as):
    second = UserFactory(agency=world.coordinator.agency)
    role = give_role(world.network, second, StaffRole.Role.COORDINATOR)
    assert fresh(second).is_staff

    api_as(world.coordinator).delete(role_url(world.network, role.pk))

    assert not fresh(second).is_staff
