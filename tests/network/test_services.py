"""network.services: the domain rules, below the HTTP layer."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from guardian.shortcuts import get_perms

from agencies.models import User
from config.errors import Conflict
from network import services
from network.models import ConfidentialityPledge, Membership, Network, StaffRole, Tier
from tests.factories import AgencyFactory, UserFactory, give_role, seat

TOKYO = ZoneInfo("Asia/Tokyo")


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


# --- networks -----------------------------------------------------------------------------


def test_network_create_refuses_an_inactive_secretariat(db):
    with pytest.raises(ValidationError) as excinfo:
        services.network_create(
            name="n", municipality="m", secretariat_agency=AgencyFactory(active=False)
        )

    assert error_fields(excinfo) == {"secretariat_agency"}
    assert not Network.objects.exists()


def test_network_create_cannot_set_the_pledge_text_version(db):
    network = services.network_create(
        name="n", municipality="m", secretariat_agency=AgencyFactory(), pledge_text_version=9
    )

    assert Network.objects.get(pk=network.pk).pledge_text_version == 1


def test_network_create_validates_the_model(db):
    with pytest.raises(ValidationError) as excinfo:
        services.network_create(
            name="n", municipality="m", secretariat_agency=AgencyFactory(), retention_years=0
        )

    assert "retention_years" in error_fields(excinfo)
    assert not Network.objects.exists()


def test_network_update_bumps_the_version_only_for_a_changed_text(world):
    services.network_update(network=world.network, pledge_text=world.network.pledge_text)
    world.network.refresh_from_db()
    assert world.network.pledge_text_version == 1

    services.network_update(network=world.network, pledge_text="改訂版")

    world.network.refresh_from_db()
    assert world.network.pledge_text_version == 2


def test_network_update_compares_with_the_stored_row_not_the_callers_copy(world):
    """The admin hands over an instance the form has already changed."""
    stale = Network.objects.get(pk=world.network.pk)
    stale.pledge_text = "改訂版"

    services.network_update(network=stale, pledge_text="改訂版")

    world.network.refresh_from_db()
    assert (world.network.pledge_text, world.network.pledge_text_version) == ("改訂版", 2)


def test_network_update_ignores_fields_outside_the_settings(world):
    services.network_update(network=world.network, pledge_text_version=50, id=999)

    world.network.refresh_from_db()
    assert world.network.pledge_text_version == 1
    assert Network.objects.filter(pk=world.network.pk).exists()


def test_network_update_refuses_an_invalid_value_and_writes_nothing(world):
    with pytest.raises(ValidationError):
        services.network_update(network=world.network, content_window_days=400, name="新")

    world.network.refresh_from_db()
    assert (world.network.content_window_days, world.network.name) == (
        14,
        "明石市ひきこもり支援ネットワーク",
    )


# --- staff roles --------------------------------------------------------------------------


def test_staff_role_add_is_idempotent(world):
    role, created = services.staff_role_add(
        network=world.network, user=world.coordinator, role=StaffRole.Role.COORDINATOR
    )

    assert created is False
    assert role == StaffRole.objects.get(network=world.network, user=world.coordinator)
    assert StaffRole.objects.filter(user=world.coordinator).count() == 1


def test_staff_role_add_refuses_an_unknown_role(world):
    with pytest.raises(ValidationError) as excinfo:
        services.staff_role_add(network=world.network, user=world.member, role="chair")

    assert error_fields(excinfo) == {"role"}
    assert not StaffRole.objects.filter(user=world.member).exists()


def test_staff_role_add_refuses_an_inactive_account(world):
    sleeper = UserFactory(is_active=False)

    with pytest.raises(ValidationError) as excinfo:
        services.staff_role_add(network=world.network, user=sleeper, role="auditor")

    assert error_fields(excinfo) == {"user"}
    assert get_perms(sleeper, world.network) == []


def test_staff_role_add_grants_only_on_that_network(world):
    services.staff_role_add(network=world.network, user=world.member, role="coordinator")

    member = fresh(world.member)
    assert member.has_perm("network.coordinate_network", world.network)
    assert not member.has_perm("network.coordinate_network", world.other_network)
    assert get_perms(member, world.other_network) == []


def test_staff_role_remove_refuses_the_last_coordinator(world):
    role = StaffRole.objects.get(network=world.network, role="coordinator")

    with pytest.raises(Conflict) as excinfo:
        services.staff_role_remove(staff_role=role)

    assert excinfo.value.code == "last_coordinator"
    assert excinfo.value.status_code == 409
    assert StaffRole.objects.filter(pk=role.pk).exists()
    assert set(get_perms(world.coordinator, world.network)) == {
        "view_network",
        "coordinate_network",
    }


def test_staff_role_remove_of_an_auditor_never_needs_another_coordinator(world):
    role = StaffRole.objects.get(network=world.network, role="auditor")

    services.staff_role_remove(staff_role=role)

    assert not StaffRole.objects.filter(pk=role.pk).exists()
    assert get_perms(world.auditor, world.network) == []


def test_staff_role_remove_keeps_what_another_role_grants(world):
    extra = give_role(world.network, world.auditor, StaffRole.Role.COORDINATOR)

    services.staff_role_remove(staff_role=extra)

    assert set(get_perms(world.auditor, world.network)) == {"view_network", "audit_network"}


def test_a_coordinator_counts_once_even_when_they_are_also_auditor(world):
    give_role(world.network, world.coordinator, StaffRole.Role.AUDITOR)
    role = StaffRole.objects.get(network=world.network, user=world.coordinator, role="coordinator")

    with pytest.raises(Conflict):
        services.staff_role_remove(staff_role=role)


# --- memberships --------------------------------------------------------------------------


@pytest.fixture
def clinic_term(world) -> Membership:
    """The clinic's practitioners seat, made to run FY2021 only."""
    membership = Membership.objects.get(network=world.network, agency=world.member.agency)
    membership.starts_on, membership.ends_on = date(2021, 4, 1), date(2022, 3, 31)
    membership.save()
    return membership


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "overlaps"),
    [
        (date(2020, 4, 1), date(2021, 3, 31), False),  # ends the day before
        (date(2020, 4, 1), date(2021, 4, 1), True),  # ends on the first day
        (date(2020, 4, 1), None, True),  # open-ended from before
        (date(2021, 6, 1), date(2021, 9, 30), True),  # inside
        (date(2020, 1, 1), date(2023, 1, 1), True),  # around
        (date(2022, 3, 31), date(2022, 6, 30), True),  # starts on the last day
        (date(2022, 4, 1), None, False),  # starts the day after
        (date(2022, 4, 1), date(2022, 4, 1), False),
    ],
)
def test_membership_overlap_is_inclusive_of_both_ends(
    world, clinic_term, starts_on, ends_on, overlaps
):
    candidate = dict(
        network=world.network,
        agency=world.member.agency,
        tier=Tier.PRACTITIONERS,
        starts_on=starts_on,
        ends_on=ends_on,
    )

    if overlaps:
        with pytest.raises(ValidationError) as excinfo:
            services.membership_create(**candidate)
        assert error_fields(excinfo) == {"starts_on"}
        assert Membership.objects.filter(agency=world.member.agency).count() == 1
    else:
        services.membership_create(**candidate)
        assert Membership.objects.filter(agency=world.member.agency).count() == 2


def test_an_open_ended_seat_overlaps_any_later_term(world):
    with pytest.raises(ValidationError):
        services.membership_create(
            network=world.network,
            agency=world.member.agency,
            tier=Tier.PRACTITIONERS,
            starts_on=date(2099, 4, 1),
            ends_on=date(2099, 4, 2),
        )


def test_membership_create_reports_every_broken_rule_at_once(world):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_create(
            network=world.network,
            agency=AgencyFactory(active=False),
            tier=Tier.PRACTITIONERS,
            starts_on=date(2024, 4, 1),
            ends_on=date(2024, 3, 1),
            designated_people=[world.member],
        )

    assert error_fields(excinfo) == {"ends_on", "agency", "designated_people"}


def test_membership_create_names_each_outsider_by_account_id_only(world):
    newcomer = AgencyFactory(name="新しい機関")

    with pytest.raises(ValidationError) as excinfo:
        services.membership_create(
            network=world.network,
            agency=newcomer,
            tier=Tier.PRACTITIONERS,
            starts_on=date(2024, 4, 1),
            designated_people=[world.member, world.representative],
        )

    messages = excinfo.value.message_dict["designated_people"]
    assert len(messages) == 2
    assert any(f"#{world.member.pk}" in m for m in messages)
    assert any(f"#{world.representative.pk}" in m for m in messages)
    assert all("新しい機関" in m for m in messages)
    assert not any("実務 一郎" in m or "代表 三郎" in m for m in messages)


def test_membership_create_refuses_an_unknown_tier(world):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_create(
            network=world.network, agency=AgencyFactory(), tier="chairs", starts_on=date(2024, 4, 1)
        )

    assert "tier" in error_fields(excinfo)
    assert not Membership.objects.filter(tier="chairs").exists()


def test_membership_update_with_a_new_agency_checks_the_kept_people(world):
    membership = Membership.objects.get(network=world.network, agency=world.member.agency)

    with pytest.raises(ValidationError) as excinfo:
        services.membership_update(membership=membership, agency=AgencyFactory())

    assert error_fields(excinfo) == {"designated_people"}
    membership.refresh_from_db()
    assert membership.agency == world.member.agency


def test_membership_update_refuses_moving_a_seat_to_an_inactive_agency(world):
    membership = Membership.objects.get(network=world.network, agency=world.member.agency)

    with pytest.raises(ValidationError) as excinfo:
        services.membership_update(
            membership=membership, agency=AgencyFactory(active=False), designated_people=[]
        )

    assert error_fields(excinfo) == {"agency"}
    membership.refresh_from_db()
    assert membership.agency == world.member.agency
    assert list(membership.designated_people.all()) == [world.member]


def test_membership_update_of_a_deactivated_agencys_seat_is_allowed(world):
    membership = Membership.objects.get(network=world.network, agency=world.member.agency)
    world.member.agency.active = False
    world.member.agency.save()

    services.membership_update(membership=membership, ends_on=date(2024, 6, 30))

    membership.refresh_from_db()
    assert membership.ends_on == date(2024, 6, 30)


def test_membership_update_ignores_the_network(world):
    membership = Membership.objects.get(network=world.network, agency=world.member.agency)

    services.membership_update(membership=membership, network=world.other_network)

    membership.refresh_from_db()
    assert membership.network == world.network


def test_membership_delete_removes_only_that_seat(world):
    membership = Membership.objects.get(network=world.network, agency=world.member.agency)

    services.membership_delete(membership=membership)

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Membership.objects.filter(network=world.network).count() == 1


def test_membership_is_current_matches_the_queryset(world):
    m = seat(world.network, AgencyFactory(), starts_on=date(2024, 4, 1), ends_on=date(2024, 6, 30))

    for day in [date(2024, 3, 31), date(2024, 4, 1), date(2024, 6, 30), date(2024, 7, 1)]:
        in_queryset = Membership.objects.current(day).filter(pk=m.pk).exists()
        assert m.is_current(day) is in_queryset, day


# --- pledges ------------------------------------------------------------------------------


def test_pledge_sign_returns_created_then_the_same_pledge(world, time_machine):
    time_machine.move_to(datetime(2024, 6, 15, 12, 0, tzinfo=TOKYO), tick=False)

    first, created_first = services.pledge_sign(person=world.member, network=world.network)
    again, created_again = services.pledge_sign(person=world.member, network=world.network)

    assert (created_first, created_again) == (True, False)
    assert first.pk == again.pk
    assert ConfidentialityPledge.objects.count() == 1


def test_pledge_sign_checks_the_version_against_the_stored_network(world):
    """A caller holding a copy read before the text changed cannot sign the old wording."""
    stale_copy = Network.objects.get(pk=world.network.pk)
    services.network_update(network=world.network, pledge_text="改訂版")

    with pytest.raises(ValidationError) as excinfo:
        services.pledge_sign(person=world.member, network=stale_copy, text_version=1)

    assert error_fields(excinfo) == {"text_version"}
    assert not ConfidentialityPledge.objects.exists()


def test_pledge_sign_records_the_stored_version_not_the_callers_copy(world):
    stale_copy = Network.objects.get(pk=world.network.pk)
    services.network_update(network=world.network, pledge_text="改訂版")

    pledge, _ = services.pledge_sign(person=world.member, network=stale_copy)

    assert ConfidentialityPledge.objects.get(pk=pledge.pk).text_version == 2


@pytest.mark.parametrize(
    ("moment", "fiscal_year"),
    [
        (datetime(2022, 3, 31, 23, 59, tzinfo=TOKYO), 2021),
        (datetime(2022, 4, 1, 0, 1, tzinfo=TOKYO), 2022),
        (datetime(2020, 1, 1, 0, 0, tzinfo=TOKYO), 2019),
    ],
)
def test_pledge_sign_uses_the_clock(world, time_machine, moment, fiscal_year):
    time_machine.move_to(moment, tick=False)

    pledge, _ = services.pledge_sign(person=world.member, network=world.network)

    assert pledge.fiscal_year == fiscal_year
    assert pledge.signed_at == moment
