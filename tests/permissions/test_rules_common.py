"""The rules every part shares (`permissions.rules`, top of the module): who is a platform
admin, who coordinates, who administers a network, whose pledge is current, when a
meeting's content window closes. Each pinned for who may and who may not, among the
personas of `tests/conftest.py`."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from conferences.models import Meeting
from network.models import ConfidentialityPledge
from network.services import staff_role_add
from permissions import rules
from tests.conftest import CASE_PERSONAS

pytestmark = pytest.mark.django_db


def who(case_world, predicate) -> set[str]:
    return {p for p in CASE_PERSONAS if predicate(case_world.person(p) or AnonymousUser())}


def test_is_platform_admin(case_world):
    assert who(case_world, rules.is_platform_admin) == {"admin"}
    admin = case_world.world.admin
    admin.is_active = False
    assert not rules.is_platform_admin(admin)


def test_coordinates_is_the_role_not_the_superuser_shortcut(case_world):
    world = case_world.world
    assert who(case_world, lambda u: rules.coordinates(u, world.network)) == {"coordinator"}
    assert who(case_world, lambda u: rules.coordinates(u, world.other_network)) == set()
    assert world.admin.has_perm("network.coordinate_network", world.network)  # Django's shortcut


def test_a_deactivated_coordinator_coordinates_nothing(case_world):
    coordinator = case_world.world.coordinator
    coordinator.is_active = False
    assert not rules.coordinates(coordinator, case_world.world.network)
    assert not rules.coordinates_anywhere(coordinator)


def test_coordinates_anywhere(case_world):
    world = case_world.world
    # Platform admins administer every network: they count.
    assert who(case_world, rules.coordinates_anywhere) == {"coordinator", "admin"}
    staff_role_add(network=world.other_network, user=world.stranger, role="coordinator")
    assert who(case_world, rules.coordinates_anywhere) == {"coordinator", "admin", "stranger"}


@pytest.mark.parametrize(
    "predicate", [rules.may_administer_network, rules.may_manage_screening_terms]
)
def test_a_network_is_administered_by_its_coordinators_and_platform_admins(case_world, predicate):
    world = case_world.world
    assert who(case_world, lambda u: predicate(u, world.network)) == {"coordinator", "admin"}
    assert who(case_world, lambda u: predicate(u, world.other_network)) == {"admin"}


def test_everyone_s_pledges_are_read_by_administrators_and_auditors(case_world):
    world = case_world.world
    assert who(case_world, lambda u: rules.may_read_network_pledges(u, world.network)) == {
        "coordinator",
        "auditor",
        "admin",
    }


def test_holds_current_pledge(case_world, time_machine):
    world = case_world.world
    signed = {"coordinator", "member", "colleague", "representative", "auditor", "peer"}
    assert who(case_world, lambda u: rules.holds_current_pledge(u, world.network.pk)) == signed
    assert who(case_world, lambda u: rules.holds_current_pledge(u, world.other_network.pk)) == set()
    # A pledge is for one fiscal year: on 1 April the next year's is needed.
    year = ConfidentialityPledge.objects.filter(person=world.member).get().fiscal_year
    time_machine.move_to(f"{year + 1}-04-01 09:00 +0900")
    assert not rules.holds_current_pledge(world.member, world.network.pk)


def test_the_content_window_closes_when_the_network_says(case_world):
    network = case_world.world.network
    network.content_window_days = 14
    ends = case_world.submitted.created_at.replace(microsecond=0)
    meeting = Meeting(network=network, starts_at=ends - timedelta(hours=2), ends_at=ends)
    end = ends + timedelta(days=14)
    assert rules.content_window_end(meeting) == end
    assert rules.within_content_window(meeting, end - timedelta(seconds=1))
    # The same comparison as a grant's valid_until: at the end itself the window is shut.
    assert not rules.within_content_window(meeting, end)
    assert not rules.within_content_window(meeting, end + timedelta(days=1))


# --- the second factor ------------------------------------------------------------------------


def signed_in(user, *, verified: bool):
    """The user as a request carries it: django-otp (or the token authentication) installs
    `is_verified` on it."""
    user.is_verified = lambda: verified
    return user


def test_sign_in_verified_only_when_the_sign_in_says_so(case_world):
    member = case_world.world.member
    assert not rules.sign_in_verified(member)  # loaded from the database: fails closed
    assert rules.sign_in_verified(signed_in(member, verified=True))
    assert not rules.sign_in_verified(signed_in(member, verified=False))
    assert not rules.sign_in_verified(AnonymousUser())


def test_second_factor_satisfied_follows_the_network(case_world):
    network, member = case_world.world.network, case_world.world.member
    network.require_two_factor = False
    assert rules.second_factor_satisfied(signed_in(member, verified=False), network)
    network.require_two_factor = True
    assert not rules.second_factor_satisfied(signed_in(member, verified=False), network)
    assert rules.second_factor_satisfied(signed_in(member, verified=True), network)


def test_second_factor_required_by_a_network_of_one_s_own_or_by_the_admin(case_world):
    world = case_world.world
    # The admin always asks for one: its users (platform admins, coordinators) keep one.
    assert who(case_world, lambda u: u.is_authenticated and rules.second_factor_required(u)) == {
        "admin",
        "coordinator",
    }
    world.network.require_two_factor = True
    world.network.save(update_fields=["require_two_factor"])
    required = who(case_world, lambda u: u.is_authenticated and rules.second_factor_required(u))
    # Whoever belongs to network A (staff role or seat), and the admin; not network B's people.
    assert "stranger" not in required
    assert {"coordinator", "member", "representative", "auditor", "admin"} <= required


def test_coordinators_reset_their_network_s_people_s_second_factor(case_world):
    world = case_world.world
    assert who(case_world, lambda u: rules.may_reset_second_factor(u, world.network)) == {
        "coordinator"
    }
    assert who(case_world, lambda u: rules.may_reset_second_factor(u, world.other_network)) == set()
