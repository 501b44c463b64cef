"""`POST /networks/{id}/two-factor-resets/`: a coordinator clears a person's second factor
(a lost phone), audited, so that they enrol again."""

import logging

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin.models import RecoveryCodeDevice, SecondFactorReset, VerifiedToken
from tests.factories import UserFactory
from tests.signin.conftest import code_for, enrol, signed_in, token_login

pytestmark = pytest.mark.django_db


def url(network) -> str:
    return f"/api/v1/networks/{network.pk}/two-factor-resets/"


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("coordinator", 201),
        ("member", 403),
        ("colleague", 403),
        ("representative", 403),
        ("auditor", 403),
        ("admin", 403),
        ("stranger", 404),
        ("other_coordinator", 404),
        ("anonymous", 401),
    ],
)
def test_reset_matrix(api_as, world, clock, persona, expected):
    enrol(world.member)
    if persona == "other_coordinator":
        person = UserFactory._meta.model.objects.get(username="other_coordinator")
    else:
        person = world.person(persona)
    response = api_as(person).post(url(world.network), {"user": world.member.pk}, format="json")
    assert response.status_code == expected, response.content
    assert TOTPDevice.objects.filter(user=world.member).exists() == (expected != 201)
    if expected == 403:
        assert response.json()["code"] == "coordinator_only"


def test_a_reset_clears_the_factor_and_is_recorded(api_as, api, world, clock, caplog):
    secret, _codes = enrol(world.member)
    clock.shift(30)
    signed_in(api, world.member, otp=code_for(secret))
    assert VerifiedToken.objects.filter(token__user=world.member).exists()
    with caplog.at_level(logging.INFO, logger="renkei.audit"):
        response = api_as(world.coordinator).post(
            url(world.network), {"user": world.member.pk}, format="json"
        )
    assert response.status_code == 201
    body = response.json()
    assert (body["user"], body["reset_by"], body["network"]) == (
        world.member.pk,
        world.coordinator.pk,
        world.network.pk,
    )
    reset = SecondFactorReset.objects.get()
    assert (reset.person, reset.reset_by, reset.network) == (
        world.member,
        world.coordinator,
        world.network,
    )
    assert not TOTPDevice.objects.filter(user=world.member).exists()
    assert not RecoveryCodeDevice.objects.filter(user=world.member).exists()
    assert not VerifiedToken.objects.filter(token__user=world.member).exists()
    assert any(
        "reset by" in r.getMessage() and str(world.member.pk) in r.getMessage()
        for r in caplog.records
        if r.name == "renkei.audit"
    )
    # The person signs in with the password again, and enrols anew.
    api.credentials()
    assert token_login(api, "member").status_code == 200


@pytest.mark.parametrize("target", ["stranger", "nobody"])
def test_a_person_outside_the_network_is_404(api_as, world, target):
    user_id = world.stranger.pk if target == "stranger" else 999_999
    response = api_as(world.coordinator).post(url(world.network), {"user": user_id}, format="json")
    assert response.status_code == 404
    assert not SecondFactorReset.objects.exists()


def test_a_coordinator_does_not_reset_their_own(api_as, world, clock):
    enrol(world.coordinator)
    response = api_as(world.coordinator).post(
        url(world.network), {"user": world.coordinator.pk}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "own_second_factor")
    assert TOTPDevice.objects.filter(user=world.coordinator).exists()


@pytest.mark.parametrize("body", [{}, {"user": "x"}, {"user": 2**70}, []])
def test_bad_bodies_are_400(api_as, world, body):
    response = api_as(world.coordinator).post(url(world.network), body, format="json")
    assert response.status_code == 400


def test_where_the_network_requires_it_the_coordinator_must_be_verified(api, api_as, world, clock):
    world.network.require_two_factor = True
    world.network.save()
    enrol(world.member)
    refused = api_as(world.coordinator).post(
        url(world.network), {"user": world.member.pk}, format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "otp_required")
    secret, _codes = enrol(world.coordinator)
    clock.shift(30)
    client = signed_in(api, world.coordinator, otp=code_for(secret))
    response = client.post(url(world.network), {"user": world.member.pk}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("member", "coordinator_only"),
        ("admin", "coordinator_only"),
        ("other_coordinator", "coordinator_only"),
        ("coordinator", "not_in_network"),  # the person is network B's
    ],
)
def test_the_reset_service_refuses_when_called_directly(world, clock, persona, code):
    from config.errors import Forbidden
    from signin import services

    if persona == "other_coordinator":
        actor = UserFactory._meta.model.objects.get(username="other_coordinator")
    else:
        actor = world.person(persona)
    person = world.stranger if persona == "coordinator" else world.member
    enrol(person)
    with pytest.raises(Forbidden) as refused:
        services.second_factor_reset(actor=actor, network=world.network, person=person)
    assert refused.value.code == code
    assert TOTPDevice.objects.filter(user=person).exists()
    assert not SecondFactorReset.objects.exists()
