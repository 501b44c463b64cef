"""The rules of cases (`permissions.rules`, section "cases"): for each, who may and who may
not, among the personas of `tests/conftest.py` (network A's coordinator, the clinic's
designated member and their colleague, a peer practitioner agency, a representative, an
auditor, the platform admin, network B's stranger, nobody)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from conferences.cases import services
from network.models import ConfidentialityPledge
from permissions import rules
from tests.conftest import CASE_PERSONAS

pytestmark = pytest.mark.django_db


def person(case_world, persona):
    return case_world.person(persona) or AnonymousUser()


def who(case_world, predicate) -> set[str]:
    return {p for p in CASE_PERSONAS if predicate(person(case_world, p))}


def test_may_start_case_in_network_a(case_world):
    """Staff of agencies seated in the practitioners' tier; not the coordinator's
    secretariat, the representatives, the auditor, the admin, network B's stranger."""
    network = case_world.world.network
    assert who(case_world, lambda u: rules.may_start_case(u, network)) == {
        "member",
        "colleague",
        "peer",
    }


def test_may_start_case_in_network_b(case_world):
    network = case_world.world.other_network
    assert who(case_world, lambda u: rules.may_start_case(u, network)) == {"stranger"}


def test_a_seat_that_has_not_begun_does_not_start_cases(case_world, time_machine):
    time_machine.move_to("2019-06-01 10:00 +0900")  # the seats begin on 2020-04-01
    assert not rules.may_start_case(case_world.world.member, case_world.world.network)


def test_an_inactive_account_starts_no_case(case_world):
    member = case_world.world.member
    member.is_active = False
    assert not rules.may_start_case(member, case_world.world.network)


@pytest.mark.parametrize(
    "predicate", [rules.may_edit_case, rules.may_submit_case, rules.may_withdraw_case]
)
@pytest.mark.parametrize("case", ["draft", "submitted"])
def test_the_submitting_agency_writes_submits_and_withdraws_its_case(case_world, predicate, case):
    """The clinic's staff, whether designated or not; the coordinator who sees the submitted
    case does not write it, nor does the admin."""
    target = getattr(case_world, case)
    assert who(case_world, lambda u: predicate(u, target)) == {"member", "colleague"}


@pytest.mark.parametrize("predicate", [rules.may_close_case, rules.may_purge_case])
def test_the_network_coordinator_closes_and_purges(case_world, predicate):
    """The coordinator only: not the submitting agency, not the admin (Django's superuser
    shortcut does not make them one)."""
    case = case_world.submitted
    assert who(case_world, lambda u: predicate(u, case)) == {"coordinator"}


def test_the_other_network_coordinator_does_not_close_network_a_cases(case_world):
    from agencies.models import User

    other_coordinator = User.objects.get(username="other_coordinator")
    assert not rules.may_close_case(other_coordinator, case_world.submitted)
    assert not rules.may_purge_case(other_coordinator, case_world.submitted)


def test_may_screen_texts(case_world):
    """Those who start cases in the network, and its coordinator."""
    network = case_world.world.network
    assert who(case_world, lambda u: rules.may_screen_texts(u, network)) == {
        "coordinator",
        "member",
        "colleague",
        "peer",
    }
    other = case_world.world.other_network
    assert who(case_world, lambda u: rules.may_screen_texts(u, other)) == {"stranger"}


def test_may_see_case(case_world):
    """Facts: the submitting agency (drafts included), the coordinator from submission on."""
    draft, submitted = case_world.draft, case_world.submitted
    assert who(case_world, lambda u: rules.may_see_case(u, draft)) == {"member", "colleague"}
    assert who(case_world, lambda u: rules.may_see_case(u, submitted)) == {
        "coordinator",
        "member",
        "colleague",
    }


def test_may_read_case_content_of_a_draft(case_world):
    """A draft is its agency's alone."""
    draft = case_world.draft
    assert who(case_world, lambda u: rules.may_read_case_content(u, draft)) == {
        "member",
        "colleague",
    }


def test_may_read_case_content_of_a_submitted_case(case_world):
    submitted = case_world.submitted
    assert who(case_world, lambda u: rules.may_read_case_content(u, submitted)) == {
        "coordinator",
        "member",
        "colleague",
    }


def test_no_content_without_a_current_pledge(case_world):
    ConfidentialityPledge.objects.filter(person=case_world.world.member).delete()
    assert not rules.may_read_case_content(case_world.world.member, case_world.submitted)
    assert rules.may_read_case_content(case_world.world.colleague, case_world.submitted)


def test_no_content_once_purged(case_world):
    coordinator = case_world.world.coordinator
    case = services.case_close(actor=coordinator, case=case_world.submitted)
    case = services.case_purge(actor=coordinator, case=case)
    assert who(case_world, lambda u: rules.may_read_case_content(u, case)) == set()


def test_case_content_answer_shows_content_to_its_readers_only(case_world):
    submitted = case_world.submitted
    answers = {
        p: rules.case_content_answer(person(case_world, p), submitted) for p in CASE_PERSONAS
    }
    assert {p for p, a in answers.items() if a == rules.CASE_CONTENT_SHOWN} == {
        "coordinator",
        "member",
        "colleague",
    }
    assert {p for p, a in answers.items() if a is not None} == {
        "coordinator",
        "member",
        "colleague",
    }


def test_case_content_answer_asks_for_a_second_factor_where_the_network_wants_one(case_world):
    network = case_world.world.network
    network.require_two_factor = True
    network.save(update_fields=["require_two_factor"])
    submitted = case_world.submitted
    submitted.network.refresh_from_db()
    member, peer = case_world.world.member, case_world.peer
    assert rules.case_content_answer(member, submitted) == rules.CASE_CONTENT_OTP_REQUIRED
    # Someone who may not read it is told nothing about the second factor.
    assert rules.case_content_answer(peer, submitted) is None
    member.is_verified = lambda: True  # a sign-in made with a second factor
    assert rules.case_content_answer(member, submitted) == rules.CASE_CONTENT_SHOWN


def test_may_manage_screening_terms_keeps_the_platform_admin(case_world):
    """Already in rules (used here by the terms endpoints): coordinators and the admin."""
    network = case_world.world.network
    assert who(case_world, lambda u: rules.may_manage_screening_terms(u, network)) == {
        "coordinator",
        "admin",
    }
