"""Every service of the role division, called directly (not through the API) by a person
without the right, raises Forbidden with the code the API answers and changes nothing: no
review, role, answer, progress note, change, grant, agenda item or access record.

Where a write answers with content (`..._and_read`), a reading the network's second-factor
rule refuses leaves nothing written either."""

import pytest
from django.apps import apps

from conferences.reviews import exports, services
from config.errors import Forbidden
from network.models import Network
from tests.conferences.role_fixtures import TASKS, add_invited_role, add_role, final_review
from tests.conftest import make_case

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Every row of the conferences and permissions apps (cases, reviews, roles, changes,
    grants, agenda items, access records, ...)."""
    models = [*apps.get_app_config("conferences").get_models()]
    models += apps.get_app_config("permissions").get_models()
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def refused(code: str, call) -> None:
    before = snapshot()
    with pytest.raises(Forbidden) as refusal:
        call()
    assert refusal.value.code == code
    assert snapshot() == before


# --- writes -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "colleague", "peer", "admin", "stranger"])
def test_review_create_outside_a_meeting(roles_world, persona):
    case = make_case(roles_world.world.member, roles_world.world.network, submit=True)
    person = roles_world.person(persona)
    refused("not_a_review_writer", lambda: services.review_create(actor=person, case=case))
    refused(
        "not_a_review_writer",
        lambda: services.review_create_and_read(actor=person, case=case, via="t"),
    )
    # The coordinator may: the refusal was the person's.
    services.review_create(actor=roles_world.world.coordinator, case=case)


@pytest.mark.parametrize("persona", ["colleague", "representative", "admin", "outsider"])
def test_review_update(roles_world, persona):
    person, review = roles_world.person(persona), roles_world.review
    refused("not_a_review_writer", lambda: services.review_update(actor=person, review=review))
    refused(
        "not_a_review_writer",
        lambda: services.review_update_and_read(actor=person, review=review, via="t", notes="x"),
    )


@pytest.mark.parametrize("persona", ["member", "peer", "third", "admin"])
def test_review_finalize(roles_world, persona):
    rw = roles_world
    lead = add_role(rw, rw.world.member.agency)
    services.role_agree(actor=rw.world.member, role=lead)
    person = rw.person(persona)
    refused("coordinator_only", lambda: services.review_finalize(actor=person, review=rw.review))
    refused(
        "coordinator_only",
        lambda: services.review_finalize_and_read(actor=person, review=rw.review, via="t"),
    )
    services.review_finalize(actor=rw.world.coordinator, review=rw.review)


@pytest.mark.parametrize("persona", ["colleague", "representative", "admin", "outsider"])
def test_role_add_update_remove(roles_world, persona):
    rw = roles_world
    role = add_role(rw, rw.third.agency, function="outreach")
    person = rw.person(persona)
    fields = {"agency": rw.third.agency, "function": "legal", "involvement": "new"}
    refused(
        "not_a_review_writer", lambda: services.role_add(actor=person, review=rw.review, **fields)
    )
    refused(
        "not_a_review_writer",
        lambda: services.role_add_and_read(actor=person, review=rw.review, via="t", **fields),
    )
    refused("not_a_review_writer", lambda: services.role_update(actor=person, role=role, tasks="x"))
    refused(
        "not_a_review_writer",
        lambda: services.role_update_and_read(actor=person, role=role, via="t", tasks="x"),
    )
    refused("not_a_review_writer", lambda: services.role_remove(actor=person, role=role))


def test_attendees_assign_roles_only_while_the_meeting_is_held(roles_world):
    rw = roles_world
    rw.meeting.status = "closed"
    rw.meeting.save(update_fields=["status"])
    rw.review.refresh_from_db()
    fields = {"agency": rw.third.agency, "function": "legal", "involvement": "new"}
    refused(
        "not_a_review_writer",
        lambda: services.role_add(actor=rw.world.member, review=rw.review, **fields),
    )


@pytest.mark.parametrize("persona", ["member", "third", "outsider", "admin"])
def test_role_agency_invite(roles_world, persona):
    rw = roles_world
    role = add_role(rw, rw.outsider.agency, function="place_to_belong")
    person = rw.person(persona)
    refused("not_a_coordinator", lambda: services.role_agency_invite(actor=person, role=role))
    refused(
        "not_a_coordinator",
        lambda: services.role_agency_invite_and_read(actor=person, role=role, via="t"),
    )


@pytest.mark.parametrize("persona", ["colleague", "peer", "coordinator", "admin"])
def test_role_agree_and_decline(roles_world, persona):
    rw = roles_world
    role = add_role(rw, rw.world.member.agency)
    person = rw.person(persona)
    refused("not_your_agency", lambda: services.role_agree(actor=person, role=role))
    refused(
        "not_your_agency", lambda: services.role_agree_and_read(actor=person, role=role, via="t")
    )
    refused("not_your_agency", lambda: services.role_decline(actor=person, role=role, reason="x"))
    refused(
        "not_your_agency",
        lambda: services.role_decline_and_read(actor=person, role=role, via="t", reason="x"),
    )


def test_only_a_coordinator_agrees_on_an_agencys_behalf(roles_world):
    rw = roles_world
    role = add_role(rw, rw.world.member.agency)
    refused(
        "not_your_agency",
        lambda: services.role_agree(actor=rw.world.member, role=role, on_behalf=True, note="x"),
    )


@pytest.mark.parametrize("persona", ["third", "peer", "representative", "admin"])
def test_progress_add(roles_world, persona):
    rw = roles_world
    lead, _family = final_review(rw)
    person = rw.person(persona)
    note = {"note": "訪問した", "task_status": "in_progress"}
    refused("not_the_role_holder", lambda: services.progress_add(actor=person, role=lead, **note))
    refused(
        "not_the_role_holder",
        lambda: services.progress_add_and_read(actor=person, role=lead, via="t", **note),
    )


@pytest.mark.parametrize("persona", ["member", "representative", "auditor", "admin"])
def test_agenda_role_tasks_add(roles_world, persona):
    rw = roles_world
    final_review(rw)
    person = rw.person(persona)
    refused(
        "coordinator_only",
        lambda: services.agenda_role_tasks_add(actor=person, meeting=rw.meeting),
    )


# --- reads (facts) ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "peer", "representative", "auditor", "admin"])
def test_follow_ups(roles_world, persona):
    rw = roles_world
    person = rw.person(persona)
    refused(
        "coordinator_only",
        lambda: services.follow_ups(
            reader=person, network=rw.world.network, on=rw.meeting.starts_at.date(), stalled_days=7
        ),
    )


@pytest.mark.parametrize("persona", ["representative", "auditor", "admin", "stranger"])
def test_role_load(roles_world, persona):
    person = roles_world.person(persona)
    refused(
        "practitioners_only",
        lambda: services.role_load(reader=person, network=roles_world.world.network),
    )


# --- reads (content: unsealed and audited) ------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "representative", "admin", "stranger"])
def test_review_reads(roles_world, persona):
    rw = roles_world
    add_invited_role(rw, rw.outsider.agency, function="place_to_belong")  # facts, no content
    person = rw.person(persona)
    for read in (
        lambda: services.reviews_read(reader=person, case=rw.case, via="t"),
        lambda: services.review_read(reader=person, review=rw.review, via="t"),
        lambda: services.history_read(reader=person, review=rw.review, via="t"),
        lambda: services.role_division_read(reader=person, review=rw.review, via="t"),
        lambda: exports.role_division_export(reader=person, review=rw.review, kind="csv"),
    ):
        refused("content_not_readable", read)


@pytest.mark.parametrize("persona", ["representative", "admin", "stranger"])
def test_role_reads(roles_world, persona):
    rw = roles_world
    lead, _family = final_review(rw)
    person = rw.person(persona)
    refused(
        "content_not_readable",
        lambda: services.roles_read(reader=person, review=rw.review, via="t"),
    )
    refused("content_not_readable", lambda: services.role_read(reader=person, role=lead, via="t"))
    refused(
        "content_not_readable", lambda: services.progress_read(reader=person, role=lead, via="t")
    )


def test_a_role_holder_reads_only_its_own_roles_and_progress(roles_world):
    rw = roles_world
    lead = add_role(rw, rw.world.member.agency)
    mine = add_invited_role(rw, rw.outsider.agency, function="place_to_belong")
    refused(
        "content_not_readable", lambda: services.role_read(reader=rw.outsider, role=lead, via="t")
    )
    refused(
        "content_not_readable", lambda: services.progress_read(reader=rw.third, role=lead, via="t")
    )
    shown = services.roles_read(reader=rw.outsider, review=rw.review, via="t")
    assert [(r.pk, r.tasks) for r in shown] == [(mine.pk, TASKS)]


# --- the second factor: a refused reading leaves the write undone -------------------------


@pytest.fixture
def gated(roles_world):
    """The network requires a second factor; people loaded from the database are signed in
    without one."""
    Network.objects.filter(pk=roles_world.world.network.pk).update(require_two_factor=True)
    roles_world.world.network.refresh_from_db()
    roles_world.review.refresh_from_db()
    return roles_world


def test_writes_answering_with_content_are_undone_when_the_reading_is_refused(gated):
    rw = gated
    coordinator, member = rw.world.coordinator, rw.world.member
    role = add_role(rw, member.agency)  # the plain write: no content in its answer
    fields = {"agency": rw.third.agency, "function": "legal", "involvement": "new"}
    for write in (
        lambda: services.review_update_and_read(
            actor=coordinator, review=rw.review, via="t", notes="追記"
        ),
        lambda: services.role_add_and_read(actor=coordinator, review=rw.review, via="t", **fields),
        lambda: services.role_update_and_read(actor=coordinator, role=role, via="t", tasks="変更"),
        lambda: services.role_agree_and_read(actor=member, role=role, via="t"),
        lambda: services.role_decline_and_read(actor=member, role=role, via="t", reason="人手不足"),
    ):
        refused("otp_required", write)


def test_finalizing_and_progress_are_undone_when_the_reading_is_refused(gated):
    rw = gated
    lead = add_role(rw, rw.world.member.agency)
    services.role_agree(actor=rw.world.member, role=lead)
    refused(
        "otp_required",
        lambda: services.review_finalize_and_read(
            actor=rw.world.coordinator, review=rw.review, via="t"
        ),
    )
    services.review_finalize(actor=rw.world.coordinator, review=rw.review)
    refused(
        "otp_required",
        lambda: services.progress_add_and_read(
            actor=rw.world.member, role=lead, via="t", note="訪問した", task_status="done"
        ),
    )


def test_a_review_created_is_undone_when_the_reading_is_refused(gated):
    case = make_case(gated.world.member, gated.world.network, submit=True)
    refused(
        "otp_required",
        lambda: services.review_create_and_read(
            actor=gated.world.coordinator, case=case, via="t", notes="電話で協議"
        ),
    )
