"""The Django admin: Japanese, usable by a coordinator, scoped to their networks."""

import pytest
from django.test import Client

from network.models import Membership, StaffRole, Tier
from tests.conftest import verified_login
from tests.factories import AgencyFactory, UserFactory, give_role, seat


@pytest.fixture
def browser():
    return Client()


def logged_in(browser, user):
    return verified_login(browser, user)  # the admin wants a second factor


def test_coordinator_role_opens_the_admin(world):
    world.coordinator.refresh_from_db()
    assert world.coordinator.is_staff


def test_losing_the_last_coordinator_role_closes_the_admin(world):
    from network import services

    colleague = UserFactory(agency=world.network.secretariat_agency)
    give_role(world.network, colleague)
    role = StaffRole.objects.get(user=world.coordinator, role=StaffRole.Role.COORDINATOR)
    services.staff_role_remove(staff_role=role)
    world.coordinator.refresh_from_db()
    assert not world.coordinator.is_staff


@pytest.mark.parametrize("persona", ["member", "representative", "auditor", "stranger"])
def test_people_without_a_coordinator_role_cannot_open_the_admin(world, browser, persona):
    response = logged_in(browser, world.person(persona)).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_is_in_japanese(world, browser):
    response = logged_in(browser, world.coordinator).get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "支援ネットワーク管理" in page
    assert "構成機関" in page  # Membership's verbose name


def test_coordinator_lists_only_their_networks_memberships(world, browser):
    response = logged_in(browser, world.coordinator).get("/admin/network/membership/")
    assert response.status_code == 200
    networks = {membership.network for membership in listed(response)}
    assert networks == {world.network}


def test_coordinator_cannot_open_another_networks_membership(world, browser):
    theirs = Membership.objects.get(network=world.other_network, agency=world.stranger.agency)
    response = logged_in(browser, world.coordinator).get(
        f"/admin/network/membership/{theirs.pk}/change/"
    )
    # The admin answers "does not exist" with a redirect to its index, revealing nothing.
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def listed(response) -> set:
    return set(response.context["cl"].queryset)


def test_coordinator_sees_neither_other_networks_nor_platform_admins_in_users(world, browser):
    users = listed(logged_in(browser, world.coordinator).get("/admin/agencies/user/"))
    assert world.member in users
    assert world.stranger not in users
    assert world.admin not in users


def test_coordinator_cannot_make_anyone_a_platform_admin(world, browser):
    browser = logged_in(browser, world.coordinator)
    page = browser.get(f"/admin/agencies/user/{world.member.pk}/change/")
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()


def test_coordinator_lists_only_agencies_they_manage(world, browser):
    agencies = listed(logged_in(browser, world.coordinator).get("/admin/agencies/agency/"))
    assert world.member.agency in agencies
    assert world.network.secretariat_agency in agencies
    assert world.stranger.agency not in agencies


def test_coordinator_seats_an_agency_through_the_admin(world, browser):
    agency = AgencyFactory(name="新しい居場所NPO")
    response = logged_in(browser, world.coordinator).post(
        "/admin/network/membership/add/",
        {
            "network": world.network.pk,
            "agency": agency.pk,
            "tier": Tier.PRACTITIONERS,
            "starts_on": "2024-04-01",
            "ends_on": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Membership.objects.filter(network=world.network, agency=agency).exists()


def test_admin_form_refuses_a_designated_person_of_another_agency(world, browser):
    agency = AgencyFactory()
    response = logged_in(browser, world.coordinator).post(
        "/admin/network/membership/add/",
        {
            "network": world.network.pk,
            "agency": agency.pk,
            "tier": Tier.PRACTITIONERS,
            "designated_people": [world.member.pk],
            "starts_on": "2024-04-01",
        },
    )
    assert response.status_code == 200  # the form comes back with its error
    assert "の職員ではありません" in response.content.decode()
    assert not Membership.objects.filter(agency=agency).exists()


def test_coordinator_cannot_pick_another_network_in_forms(world, browser):
    page = logged_in(browser, world.coordinator).get("/admin/network/membership/add/")
    html = page.content.decode()
    assert f'value="{world.network.pk}"' in html
    assert world.other_network.name not in html


def test_the_last_coordinator_role_cannot_be_deleted_in_the_admin(world, browser):
    role = StaffRole.objects.get(network=world.network, role=StaffRole.Role.COORDINATOR)
    response = logged_in(browser, world.admin).post(
        f"/admin/network/staffrole/{role.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert StaffRole.objects.filter(pk=role.pk).exists()


def test_adding_a_role_in_the_admin_grants_its_permissions(world, browser):
    newcomer = UserFactory(agency=world.network.secretariat_agency)
    response = logged_in(browser, world.coordinator).post(
        "/admin/network/staffrole/add/",
        {"network": world.network.pk, "user": newcomer.pk, "role": "coordinator"},
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.has_perm("network.coordinate_network", world.network)
    assert newcomer.is_staff


def test_pledges_are_read_only_in_the_admin(world, browser):
    response = logged_in(browser, world.coordinator).get(
        "/admin/network/confidentialitypledge/add/"
    )
    assert response.status_code == 403


def test_platform_admin_sees_every_network(world, browser):
    response = logged_in(browser, world.admin).get("/admin/network/network/")
    assert listed(response) == {world.network, world.other_network}


def test_coordinator_of_two_networks_sees_both(world, browser):
    give_role(world.other_network, world.coordinator)
    seat(world.other_network, AgencyFactory(name="両市の機関"), Tier.REPRESENTATIVES)
    response = logged_in(browser, world.coordinator).get("/admin/network/network/")
    assert listed(response) == {world.network, world.other_network}


def test_coordinators_cannot_change_passwords_in_the_admin(world, browser):
    response = logged_in(browser, world.coordinator).get(
        f"/admin/agencies/user/{world.member.pk}/password/"
    )
    assert response.status_code == 403


def test_coordinators_cannot_manage_an_agency_with_cases_in_another_network(world):
    from permissions.selectors import manageable_agencies
    from tests.conftest import make_case, sign_pledges

    leaver = AgencyFactory(name="他市から移った機関")
    author = UserFactory(agency=leaver)
    membership = seat(world.other_network, leaver, people=[author])
    sign_pledges(world.other_network, author)
    make_case(author, world.other_network, submit=True)
    membership.delete()  # the agency sits in no network now, but its case remains there
    assert leaver not in manageable_agencies(world.coordinator)
