"""The meetings family's services, called directly (not through the API), refuse a person
without the right: `Forbidden` with the code the API answers, and nothing changed (meetings,
their transitions, agendas, the cases they schedule and the grants they give, invitations,
decisions, plans, calendar secrets)."""

from datetime import datetime, timedelta

import pytest

from agencies.models import User
from conferences.decisions import services as decision_services
from conferences.meetings import calendars
from conferences.meetings import plans as plan_services
from conferences.meetings import services as meeting_services
from conferences.models import (
    AgendaItem,
    CalendarToken,
    Case,
    CaseStatus,
    Decision,
    DecisionChange,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingPlan,
    MeetingStatus,
    MeetingTransition,
)
from config.errors import Forbidden
from permissions.models import CaseUserObjectPermission

pytestmark = pytest.mark.django_db

STARTS = datetime.fromisoformat("2026-12-10T14:00:00+09:00")

# Everyone who sees network A's meetings (or could name them) but does not coordinate it.
REFUSED = ["member", "peer", "representative", "auditor", "admin", "other_coordinator"]


class W:
    """What the services are tried on: a draft with a topic and the submitted case on its
    agenda, a convened practitioners' meeting (member and peer invited), a convened
    representatives' meeting with a decision, and a held one."""


@pytest.fixture
def w(case_world, time_machine):
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    world = case_world.world
    coordinator = world.coordinator

    def new(kind=MeetingKind.CASE_CONFERENCE, title="事例検討会"):
        return meeting_services.meeting_create(
            actor=coordinator,
            network=world.network,
            kind=kind,
            title=title,
            starts_at=STARTS,
            ends_at=STARTS + timedelta(hours=2),
            location="市役所 会議室",
        )

    def convened(meeting):
        return meeting_services.meeting_convene(actor=coordinator, meeting=meeting)

    w = W()
    w.cw, w.world, w.network = case_world, world, world.network
    w.draft = new()
    w.topic = meeting_services.agenda_item_add(
        actor=coordinator, meeting=w.draft, kind="topic", title="報告"
    )
    w.case_item = meeting_services.agenda_item_add(
        actor=coordinator, meeting=w.draft, kind="case_review", case=case_world.submitted
    )
    w.convened = convened(new())
    w.invitation = Invitation.objects.get(meeting=w.convened, person=world.member)
    w.held = convened(new(title="先月の事例検討会"))
    Meeting.objects.filter(pk=w.held.pk).update(status=MeetingStatus.HELD)
    w.held.refresh_from_db()
    w.reps = convened(new(kind=MeetingKind.REPRESENTATIVES_MEETING, title="代表者会議"))
    w.decision = decision_services.decision_create(
        actor=coordinator,
        meeting=w.reps,
        text="年間計画を見直す。",
        owner_agency=world.representative.agency,
    )
    plan_services.meeting_plan_set(
        actor=coordinator, network=world.network, fiscal_year=2026, targets={"case_conference": 4}
    )
    calendars.calendar_token_renew(world.member)
    assert Case.objects.get(pk=case_world.submitted.pk).status == CaseStatus.SCHEDULED
    return w


def person(w, persona) -> User:
    if persona == "other_coordinator":
        return User.objects.get(username="other_coordinator")
    return w.cw.person(persona)


def snapshot():
    """Everything the family's services write, as plain values."""
    return {
        "meetings": list(
            Meeting.objects.order_by("pk").values_list(
                "pk", "status", "revision", "title", "location", "starts_at", "ends_at"
            )
        ),
        "invited_agencies": list(
            Meeting.invited_agencies.through.objects.order_by("pk").values_list(
                "meeting_id", "agency_id"
            )
        ),
        "transitions": MeetingTransition.objects.count(),
        "agenda": list(
            AgendaItem.objects.order_by("pk").values_list("pk", "meeting_id", "order", "case_id")
        ),
        "cases": list(Case.objects.order_by("pk").values_list("pk", "status")),
        "grants": CaseUserObjectPermission.objects.count(),
        "invitations": list(
            Invitation.objects.order_by("pk").values_list("pk", "person_id", "response")
        ),
        "decisions": list(
            Decision.objects.order_by("pk").values_list("pk", "text", "status", "due_on")
        ),
        "decision_changes": DecisionChange.objects.count(),
        "plans": list(
            MeetingPlan.objects.order_by("pk").values_list("network_id", "kind", "target")
        ),
        "tokens": list(CalendarToken.objects.order_by("pk").values_list("person_id", "digest")),
    }


# name → (call(actor, w), the code the API answers)
COORDINATOR_SERVICES = {
    "meeting_create": lambda actor, w: meeting_services.meeting_create(
        actor=actor,
        network=w.network,
        kind=MeetingKind.CASE_CONFERENCE,
        title="勝手な会議",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2),
    ),
    "meeting_update (draft)": lambda actor, w: meeting_services.meeting_update(
        actor=actor, meeting=w.draft, title="書き換え"
    ),
    "meeting_update (convened)": lambda actor, w: meeting_services.meeting_update(
        actor=actor, meeting=w.convened, location="別の会議室"
    ),
    "meeting_convene": lambda actor, w: meeting_services.meeting_convene(
        actor=actor, meeting=w.draft
    ),
    "meeting_hold": lambda actor, w: meeting_services.meeting_hold(actor=actor, meeting=w.convened),
    "meeting_close": lambda actor, w: meeting_services.meeting_close(actor=actor, meeting=w.held),
    "meeting_cancel (draft)": lambda actor, w: meeting_services.meeting_cancel(
        actor=actor, meeting=w.draft, reason="中止"
    ),
    "meeting_cancel (convened)": lambda actor, w: meeting_services.meeting_cancel(
        actor=actor, meeting=w.convened
    ),
    "agenda_item_add": lambda actor, w: meeting_services.agenda_item_add(
        actor=actor, meeting=w.draft, kind="topic", title="議題"
    ),
    "agenda_item_remove (topic)": lambda actor, w: meeting_services.agenda_item_remove(
        actor=actor, item=w.topic
    ),
    "agenda_item_remove (case)": lambda actor, w: meeting_services.agenda_item_remove(
        actor=actor, item=w.case_item
    ),
    "agenda_item_move": lambda actor, w: meeting_services.agenda_item_move(
        actor=actor, item=w.case_item, order=1
    ),
    "decision_update": lambda actor, w: decision_services.decision_update(
        actor=actor, decision=w.decision, status="done"
    ),
    "meeting_plan_set": lambda actor, w: plan_services.meeting_plan_set(
        actor=actor, network=w.network, fiscal_year=2026, targets={"case_conference": 9}
    ),
}


@pytest.mark.parametrize("persona", REFUSED)
@pytest.mark.parametrize("service", COORDINATOR_SERVICES)
def test_coordinator_services_refuse_everyone_else(w, service, persona):
    before = snapshot()
    with pytest.raises(Forbidden) as refused:
        COORDINATOR_SERVICES[service](person(w, persona), w)
    assert refused.value.code == "coordinator_only"
    assert snapshot() == before


@pytest.mark.parametrize(
    "service",
    [
        "meeting_create",
        "meeting_update (draft)",
        "meeting_update (convened)",
        "meeting_convene",
        "meeting_cancel (draft)",
        "agenda_item_add",
        "agenda_item_remove (case)",
        "agenda_item_move",
        "decision_update",
        "meeting_plan_set",
    ],
)
def test_the_coordinator_gets_through(w, service):
    """The same calls go through for the network's coordinator: the refusals above are the
    rule's, not the state's."""
    before = snapshot()
    COORDINATOR_SERVICES[service](w.world.coordinator, w)
    assert snapshot() != before


@pytest.mark.parametrize("persona", ["colleague", "peer", "coordinator", "admin", "stranger"])
def test_invitation_answer_refuses_anyone_but_the_invited_person(w, persona):
    before = snapshot()
    with pytest.raises(Forbidden) as refused:
        meeting_services.invitation_answer(
            person=person(w, persona), invitation=w.invitation, response="declined"
        )
    assert refused.value.code == "not_your_invitation"
    assert snapshot() == before
    answered = meeting_services.invitation_answer(
        person=w.world.member, invitation=w.invitation, response="declined"
    )
    assert answered.response == "declined"


def test_a_deactivated_person_gets_no_calendar_secret(w):
    member = w.world.member
    member.is_active = False
    member.save(update_fields=["is_active"])
    member = User.objects.get(pk=member.pk)
    before = snapshot()
    with pytest.raises(Forbidden):
        calendars.calendar_token_renew(member)
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["member", "other_coordinator", "admin"])
def test_decision_create_refuses_everyone_else(w, persona):
    before = snapshot()
    with pytest.raises(Forbidden) as refused:
        decision_services.decision_create(
            actor=person(w, persona),
            meeting=w.reps,
            text="勝手な決定",
            owner_agency=w.world.representative.agency,
        )
    assert refused.value.code == "coordinator_only"
    assert snapshot() == before
