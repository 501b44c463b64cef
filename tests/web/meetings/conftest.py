"""Meetings for the meeting pages, made through the services as a coordinator makes them:
a convened case conference of network A (member and peer invited) with a topic and the
submitted case on its agenda, a convened representatives' meeting (the representative
invited), and a convened meeting of network B (the stranger invited)."""

from dataclasses import dataclass
from datetime import datetime

import pytest

from conferences.meetings import services as meeting_services
from conferences.models import Meeting
from tests.conftest import CaseWorld
from tests.factories import UserFactory, give_role

NOW = "2026-11-21 10:00 +0900"
START = "2026-12-10T14:00:00+09:00"
END = "2026-12-10T16:00:00+09:00"
ONLINE = "https://meet.example.jp/renkei-3"


def new_meeting(coordinator, network, kind="case_conference", title="第3回 事例検討会", **fields):
    return meeting_services.meeting_create(
        actor=coordinator,
        network=network,
        kind=kind,
        title=title,
        starts_at=datetime.fromisoformat(fields.pop("starts_at", START)),
        ends_at=datetime.fromisoformat(fields.pop("ends_at", END)),
        location=fields.pop("location", "市役所 会議室"),
        **fields,
    )


def convene(coordinator, meeting) -> Meeting:
    return meeting_services.meeting_convene(actor=coordinator, meeting=meeting)


@dataclass
class MeetingWorld:
    cw: CaseWorld
    conference: Meeting  # practitioners: member and peer invited, the case on its agenda
    representatives: Meeting  # the representative invited
    elsewhere: Meeting  # network B: the stranger invited

    def person(self, persona):
        return self.cw.person(persona)

    @property
    def world(self):
        return self.cw.world


@pytest.fixture
def mw(case_world, time_machine) -> MeetingWorld:
    time_machine.move_to(NOW, tick=False)
    world = case_world.world
    coordinator = world.coordinator
    conference = new_meeting(coordinator, world.network, online_url=ONLINE)
    meeting_services.agenda_item_add(
        actor=coordinator, meeting=conference, kind="topic", title="前回の振り返り"
    )
    meeting_services.agenda_item_add(
        actor=coordinator, meeting=conference, kind="case_review", case=case_world.submitted
    )
    conference = convene(coordinator, conference)
    representatives = convene(
        coordinator,
        new_meeting(coordinator, world.network, kind="representatives_meeting", title="代表者会議"),
    )
    other_coordinator = UserFactory(agency=world.other_network.secretariat_agency)
    give_role(world.other_network, other_coordinator)
    elsewhere = convene(
        other_coordinator,
        new_meeting(other_coordinator, world.other_network, title="他市の事例検討会"),
    )
    case_world.submitted.refresh_from_db()
    return MeetingWorld(
        cw=case_world, conference=conference, representatives=representatives, elsewhere=elsewhere
    )
