"""A held case conference with the clinic's submitted case on its agenda, and a review of
it written by the coordinator: the starting point of the role-division tests.

People (besides CaseWorld's): `outsider`, the designated... nobody: the outside agency
(若者サポートステーション) holds no seat in network A, its staff member `outsider` signs
the pledge; `third` is a designated practitioner of a third member agency (保健所)."""

from dataclasses import dataclass

import pytest

from agencies.models import Sector
from conferences.models import Meeting, Review
from conferences.reviews import services as review_services
from network.models import Tier
from tests.conftest import CaseWorld, sign_pledges
from tests.factories import AgencyFactory, UserFactory, seat

STARTS = "2026-12-10T14:00:00+09:00"
ENDS = "2026-12-10T16:00:00+09:00"
ASSESSMENT = "本人は外出への不安が強く、家族は支援疲れの状態にある。"
DIRECTION = "保健師の訪問を軸に、家族支援と居場所への参加を段階的に進める。"
TASKS = "月1回の家庭訪問を継続し、本人との面談の機会を探る。"


@dataclass
class RoleWorld:
    cw: CaseWorld
    meeting: Meeting
    review: Review
    third: object
    outsider: object

    @property
    def world(self):
        return self.cw.world

    @property
    def case(self):
        return self.cw.submitted

    def person(self, persona: str):
        if persona in ("third", "outsider"):
            return getattr(self, persona)
        return self.cw.person(persona)


def hold_case_conference(cw: CaseWorld, api_as, time_machine) -> Meeting:
    """Create, schedule the submitted case, convene and hold a case conference on
    2026-12-10 (the clock ends at 16:30 that day)."""
    time_machine.move_to("2026-12-10 13:00 +0900", tick=False)
    client = api_as(cw.world.coordinator)
    meeting = client.post(
        "/api/v1/meetings/",
        {
            "network": cw.world.network.pk,
            "kind": "case_conference",
            "title": "事例検討会",
            "starts_at": STARTS,
            "ends_at": ENDS,
        },
        format="json",
    ).json()
    url = f"/api/v1/meetings/{meeting['id']}/"
    assert (
        client.post(url + "agenda-items/", {"kind": "case_review", "case": cw.submitted.pk})
    ).status_code == 201
    assert client.post(url + "convene/").status_code == 200
    time_machine.move_to("2026-12-10 16:30 +0900", tick=False)
    assert client.post(url + "hold/").status_code == 200
    return Meeting.objects.get(pk=meeting["id"])


@pytest.fixture
def roles_world(case_world, api_as, time_machine) -> RoleWorld:
    world = case_world.world
    health = AgencyFactory(name="保健所", name_kana="ほけんじょ", sector=Sector.PUBLIC_HEALTH)
    third = UserFactory(username="third", agency=health, display_name="保健 六子")
    seat(world.network, health, Tier.PRACTITIONERS, people=[third])
    station = AgencyFactory(
        name="若者サポートステーション", name_kana="わかものさぽーと", sector=Sector.NPO
    )
    outsider = UserFactory(username="outsider", agency=station, display_name="外部 七郎")
    meeting = hold_case_conference(case_world, api_as, time_machine)
    sign_pledges(world.network, third, outsider)
    review = review_services.review_create(
        actor=world.coordinator,
        case=case_world.submitted,
        meeting=meeting,
        assessment=ASSESSMENT,
        support_direction=DIRECTION,
    )
    return RoleWorld(cw=case_world, meeting=meeting, review=review, third=third, outsider=outsider)


def add_role(rw: RoleWorld, agency, function="lead", involvement="current", tasks=TASKS, **kw):
    return review_services.role_add(
        actor=rw.world.coordinator,
        review=rw.review,
        agency=agency,
        function=function,
        involvement=involvement,
        tasks=tasks,
        **kw,
    )


def final_review(rw: RoleWorld):
    """Lead to the clinic (agreed by `member`), family support to the 保健所 (agreed by
    `third`), finalised: the case is in monitoring. Returns the two roles."""
    lead = add_role(rw, rw.world.member.agency)
    family = add_role(rw, rw.third.agency, function="family_support", tasks="家族面談を月1回")
    review_services.role_agree(actor=rw.world.member, role=lead)
    review_services.role_agree(actor=rw.third, role=family)
    review_services.review_finalize(actor=rw.world.coordinator, review=rw.review)
    return lead, family


def add_invited_role(rw: RoleWorld, agency, **kw):
    """A role for an agency outside the network, which the coordinator invites to the case
    (without the invitation its staff see nothing of it)."""
    role = add_role(rw, agency, **kw)
    return review_services.role_agency_invite(actor=rw.world.coordinator, role=role)
