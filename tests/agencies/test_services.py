"""agencies/services.py: the writes behind the registry and staff accounts."""

import pytest
from django.core.exceptions import ValidationError

from agencies import services
from agencies.models import Agency, Sector, User
from tests.factories import AgencyFactory, UserFactory

STRONG_PASSWORD = "kirin-to-sakura-no-yoru"


def test_agency_create_refuses_unknown_field(db):
    with pytest.raises(ValidationError) as raised:
        services.agency_create(name="新しい機関", sector=Sector.NPO, activ=False)
    assert set(raised.value.message_dict) == {"activ"}
    assert not Agency.objects.filter(name="新しい機関").exists()


def test_agency_create_refuses_duplicate_name(db):
    AgencyFactory(name="こころのクリニック")
    with pytest.raises(ValidationError) as raised:
        services.agency_create(name="こころのクリニック", sector=Sector.MEDICAL)
    assert set(raised.value.message_dict) == {"name"}
    assert Agency.objects.filter(name="こころのクリニック").count() == 1


def test_agency_create_refuses_unknown_sector(db):
    with pytest.raises(ValidationError) as raised:
        services.agency_create(name="新しい機関", sector="astrology")
    assert set(raised.value.message_dict) == {"sector"}


def test_agency_update_refuses_unknown_field(db):
    agency = AgencyFactory(active=True)
    with pytest.raises(ValidationError) as raised:
        services.agency_update(agency=agency, activ=False)
    assert set(raised.value.message_dict) == {"activ"}
    agency.refresh_from_db()
    assert agency.active is True


def test_agency_update_writes_only_the_named_fields(db):
    agency = AgencyFactory(name="旧名称", phone="")
    stale = Agency.objects.get(pk=agency.pk)
    Agency.objects.filter(pk=agency.pk).update(name="新名称")  # someone else renamed it
    services.agency_update(agency=stale, phone="078-000-0000")
    agency.refresh_from_db()
    assert (agency.name, agency.phone) == ("新名称", "078-000-0000")


def test_agency_update_refuses_another_agencys_name(db):
    AgencyFactory(name="社会福祉協議会")
    agency = AgencyFactory(name="こころのクリニック")
    with pytest.raises(ValidationError) as raised:
        services.agency_update(agency=agency, name="社会福祉協議会")
    assert set(raised.value.message_dict) == {"name"}
    agency.refresh_from_db()
    assert agency.name == "こころのクリニック"


def test_user_create_hashes_the_password(db):
    user = services.user_create(
        username="newcomer", password=STRONG_PASSWORD, display_name="新任 五郎"
    )
    stored = User.objects.get(pk=user.pk)
    assert STRONG_PASSWORD not in stored.password
    assert stored.check_password(STRONG_PASSWORD)


def test_user_create_reports_weak_password_under_password(db):
    with pytest.raises(ValidationError) as raised:
        services.user_create(username="newcomer", password="qwertyuiop", display_name="新任")
    assert set(raised.value.message_dict) == {"password"}
    assert not User.objects.filter(username="newcomer").exists()


def test_user_create_refuses_inactive_agency(db):
    agency = AgencyFactory(active=False)
    with pytest.raises(ValidationError) as raised:
        services.user_create(
            username="newcomer", password=STRONG_PASSWORD, display_name="新任", agency=agency
        )
    assert set(raised.value.message_dict) == {"agency"}
    assert not User.objects.filter(username="newcomer").exists()


def test_user_create_refuses_unknown_qualification(db):
    with pytest.raises(ValidationError) as raised:
        services.user_create(
            username="newcomer",
            password=STRONG_PASSWORD,
            display_name="新任",
            qualifications=["nurse", "wizard"],
        )
    [message] = raised.value.message_dict["qualifications"]  # one message: only "wizard"
    assert "wizard" in message


def test_user_create_keeps_qualification_order_and_drops_repeats(db):
    user = services.user_create(
        username="newcomer",
        password=STRONG_PASSWORD,
        display_name="新任",
        qualifications=["teacher", "nurse", "teacher"],
    )
    assert User.objects.get(pk=user.pk).qualifications == ["teacher", "nurse"]


def test_user_create_refuses_taken_username(db):
    UserFactory(username="member")
    with pytest.raises(ValidationError) as raised:
        services.user_create(username="member", password=STRONG_PASSWORD, display_name="別人")
    assert set(raised.value.message_dict) == {"username"}
    assert User.objects.filter(username="member").count() == 1


def test_user_create_refuses_a_username_differing_only_in_case(world):
    with pytest.raises(ValidationError) as refused:
        services.user_create(
            username="MEMBER", password="a-long-enough-passphrase", display_name="別人"
        )
    assert "username" in refused.value.message_dict
    assert User.objects.filter(username__iexact="member").count() == 1


def test_agency_name_race_lost_in_the_database_is_a_field_error(db, monkeypatch):
    services.agency_create(name="同名機関", sector=Sector.NPO)
    # Simulate the other request winning between our check and our insert.
    monkeypatch.setattr(Agency, "validate_unique", lambda self, exclude=None: None)
    with pytest.raises(ValidationError) as refused:
        services.agency_create(name="同名機関", sector=Sector.NPO)
    assert "name" in refused.value.message_dict
    assert Agency.objects.filter(name="同名機関").count() == 1


def test_user_update_refuses_unknown_field(db):
    user = UserFactory()
    with pytest.raises(ValidationError) as raised:
        services.user_update(user=user, is_superuser=True)
    assert set(raised.value.message_dict) == {"is_superuser"}
    user.refresh_from_db()
    assert not user.is_superuser


def test_user_update_refuses_a_blank_display_name(db):
    user = UserFactory(display_name="実務 一郎")
    with pytest.raises(ValidationError) as raised:
        services.user_update(user=user, display_name="   ")
    assert set(raised.value.message_dict) == {"display_name"}
