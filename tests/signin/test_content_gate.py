"""Where the network requires it, case content is shown only to sign-ins made with a
second factor: content endpoints answer 403 `otp_required`, a case detail carries
`content: null` with `content_refusal: "otp_required"`, and nothing is recorded."""

import pytest

from conferences.models import Minutes
from network.models import Network
from permissions.models import AccessRecord
from tests.conferences.role_fixtures import add_invited_role, add_role
from tests.signin.conftest import code_for, enrol, signed_in

pytestmark = pytest.mark.django_db

MINUTES = "事例について保健師が訪問を継続することを確認した。"


@pytest.fixture
def gated(roles_world, api_as):
    """Minutes, a review with a role, written while the network did not require a second
    factor; then the network requires one."""
    rw = roles_world
    meeting_url = f"/api/v1/meetings/{rw.meeting.pk}/"
    client = api_as(rw.world.coordinator)
    assert client.put(meeting_url + "minutes/", {"body": MINUTES}, format="json").status_code == 200
    rw.role = add_role(rw, rw.world.member.agency)
    Network.objects.filter(pk=rw.world.network.pk).update(require_two_factor=True)
    rw.world.network.refresh_from_db()
    return rw


def content_paths(rw) -> list[str]:
    review, meeting = rw.review.pk, rw.meeting.pk
    return [
        f"/api/v1/meetings/{meeting}/minutes/",
        f"/api/v1/meetings/{meeting}/minutes/comments/",
        f"/api/v1/cases/{rw.case.pk}/reviews/",
        f"/api/v1/reviews/{review}/",
        f"/api/v1/reviews/{review}/roles/",
        f"/api/v1/roles/{rw.role.pk}/",
        f"/api/v1/reviews/{review}/history/",
        f"/api/v1/reviews/{review}/role-division.csv",
        f"/api/v1/reviews/{review}/role-division.xlsx",
    ]


def test_case_detail_withholds_content_from_a_sign_in_without_a_second_factor(api_as, gated):
    before = AccessRecord.objects.count()
    response = api_as(gated.world.coordinator).get(f"/api/v1/cases/{gated.case.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["content"] is None
    assert body["content_refusal"] == "otp_required"
    assert body["code"] == gated.case.code  # the facts are still there
    assert AccessRecord.objects.count() == before


def test_content_endpoints_answer_403_otp_required(api_as, gated):
    client = api_as(gated.world.coordinator)
    before = AccessRecord.objects.count()
    for path in content_paths(gated):
        response = client.get(path)
        assert (response.status_code, response.json()["code"]) == (403, "otp_required"), path
    assert AccessRecord.objects.count() == before


def test_a_refused_write_that_answers_with_content_leaves_nothing_written(api_as, gated):
    url = f"/api/v1/meetings/{gated.meeting.pk}/minutes/"
    response = api_as(gated.world.coordinator).put(url, {"body": "書き換え"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "otp_required")
    assert Minutes.objects.get(meeting=gated.meeting).revision == 1


def test_a_sign_in_with_a_second_factor_reads_everything(api, gated, time_machine):
    secret, _codes = enrol(gated.world.coordinator)
    time_machine.shift(30)
    client = signed_in(api, gated.world.coordinator, otp=code_for(secret))
    detail = client.get(f"/api/v1/cases/{gated.case.pk}/").json()
    assert detail["content"]["summary"]
    assert detail["content_refusal"] is None
    for path in content_paths(gated):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/api/v1/meetings/{gated.meeting.pk}/minutes/").json()["body"] == MINUTES


def test_a_recovery_code_sign_in_reads_content_too(api, gated):
    _secret, codes = enrol(gated.world.member)
    client = signed_in(api, gated.world.member, otp=codes[0])
    detail = client.get(f"/api/v1/cases/{gated.case.pk}/").json()
    assert detail["content"]["summary"]


def test_a_password_only_token_is_refused_where_required(api, gated):
    client = signed_in(api, gated.world.member)  # no second factor set up: password only
    detail = client.get(f"/api/v1/cases/{gated.case.pk}/").json()
    assert (detail["content"], detail["content_refusal"]) == (None, "otp_required")
    response = client.get(f"/api/v1/reviews/{gated.review.pk}/")
    assert (response.status_code, response.json()["code"]) == (403, "otp_required")


def test_where_the_network_does_not_require_it_content_is_shown(api_as, gated):
    Network.objects.filter(pk=gated.world.network.pk).update(require_two_factor=False)
    client = api_as(gated.world.coordinator)
    detail = client.get(f"/api/v1/cases/{gated.case.pk}/").json()
    assert detail["content"]["summary"]
    assert detail["content_refusal"] is None
    for path in content_paths(gated):
        assert client.get(path).status_code == 200, path


def test_people_who_may_not_read_content_get_no_refusal_reason(api_as, gated):
    # An invited outside agency sees the facts until it agrees.
    add_invited_role(gated, gated.outsider.agency, function="employment")
    detail = api_as(gated.outsider).get(f"/api/v1/cases/{gated.case.pk}/").json()
    assert (detail["content"], detail["content_refusal"]) == (None, None)


def test_networks_require_it_by_default(api_as, world):
    response = api_as(world.admin).post(
        "/api/v1/networks/",
        {
            "name": "新しいネットワーク",
            "municipality": "新市",
            "secretariat_agency": world.network.secretariat_agency.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["require_two_factor"] is True
    assert body["legal_basis"] == "consent"
    assert body["review_interval_months"] == 3
    assert Network.objects.get(pk=body["id"]).require_two_factor is True


def test_coordinators_turn_it_on_and_set_the_legal_basis(api_as, world):
    response = api_as(world.coordinator).patch(
        f"/api/v1/networks/{world.network.pk}/",
        {
            "require_two_factor": True,
            "legal_basis": "support_council",
            "legal_basis_note": "社会福祉法第106条の6に基づく支援会議",
            "review_interval_months": 6,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    world.network.refresh_from_db()
    assert world.network.require_two_factor is True
    assert world.network.legal_basis == "support_council"
    assert response.json()["legal_basis_display"]
    assert world.network.review_interval_months == 6


def test_a_password_only_sign_in_cannot_turn_the_second_factor_off(api, api_as, world, clock):
    """A stolen password alone must not lower the bar: turning the requirement off takes a
    sign-in the requirement accepts; the network keeps it otherwise."""
    Network.objects.filter(pk=world.network.pk).update(require_two_factor=True)
    url = f"/api/v1/networks/{world.network.pk}/"
    response = api_as(world.coordinator).patch(url, {"require_two_factor": False}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "otp_required")
    assert Network.objects.get(pk=world.network.pk).require_two_factor is True

    secret, _codes = enrol(world.coordinator)
    clock.shift(30)  # the enrolment used the current code
    client = signed_in(api, world.coordinator, otp=code_for(secret))
    response = client.patch(url, {"require_two_factor": False}, format="json")
    assert response.status_code == 200, response.content
    assert Network.objects.get(pk=world.network.pk).require_two_factor is False
