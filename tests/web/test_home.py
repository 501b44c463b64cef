"""The home page (今日やること): five sections of what waits for a person, built from what
they may see, facts only, in a fixed number of queries."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from conferences.cases import services as case_services
from conferences.meetings import services as meeting_services
from conferences.models import Invitation, RoleAssignment
from conferences.reviews import services as review_services
from conferences.reviews.selectors import followed_roles
from config import clock
from permissions import rules
from permissions.selectors import visible_cases
from tests.conferences.role_fixtures import (  # noqa: F401
    ASSESSMENT,
    TASKS,
    RoleWorld,
    add_role,
    roles_world,
)
from tests.conftest import CLEAN_CASE, make_case
from web.selectors import answerable_roles, home_for

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
EMPTY = {
    "invitations": "回答を待っている招待はありません。",
    "meetings": "予定されている会議はありません。",
    "roles": "回答を待っている役割はありません。",
    "tasks": "期限の近い課題はありません。",
    "drafts": "下書きはありません。",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def convened_meeting(rw: RoleWorld, day: int, title: str = "実務者会議"):
    """A practitioners' meeting in December 2026, convened: its designated practitioners
    (member, peer, third; not colleague) are invited."""
    meeting = meeting_services.meeting_create(
        actor=rw.world.coordinator,
        network=rw.world.network,
        kind="practitioners_meeting",
        title=title,
        starts_at=at(f"2026-12-{day:02d} 14:00"),
        ends_at=at(f"2026-12-{day:02d} 16:00"),
        location="市役所 会議室",
    )
    return meeting_services.meeting_convene(actor=rw.world.coordinator, meeting=meeting)


@pytest.fixture
def today(roles_world):  # noqa: F811 (the fixture imported above)
    """The clinic's day on 2026-12-10 at 16:30, after the case conference: a meeting
    convened for the 20th, a role asked of the clinic (pending), a task it agreed to
    (due on the 15th), and its draft (CaseWorld's)."""
    rw = roles_world
    clinic = rw.world.member.agency
    meeting = convened_meeting(rw, 20)
    agreed = add_role(rw, clinic, function="lead", due_on=date(2026, 12, 15))
    review_services.role_agree(actor=rw.world.member, role=agreed)
    pending = add_role(rw, clinic, function="outreach", due_on=date(2027, 1, 31))
    return rw, meeting, pending, agreed


def test_anonymous_is_sent_to_login(page_as, world):
    response = page_as(None).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_each_section_says_so_when_empty(page_as, world):
    response = page_as(world.member).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in EMPTY.values():
        assert text in body
    assert "<h1>今日やること</h1>" in body


def test_member_sees_what_waits_in_each_section(page_as, today):
    rw, meeting, pending, agreed = today
    response = page_as(rw.world.member).get("/")
    assert response.status_code == 200
    home = response.context["home"]
    assert [i.meeting for i in home.invitations.rows] == [meeting]
    assert [i.meeting for i in home.meetings.rows] == [meeting]
    assert home.roles_to_answer.rows == [pending]
    assert home.tasks_due.rows == [agreed]
    assert home.drafts.rows == [rw.cw.draft]
    body = response.content.decode()
    assert f'href="/meetings/{meeting.pk}/"' in body
    assert f'href="/roles/{pending.pk}/"' in body
    assert f'href="/roles/{agreed.pk}/"' in body
    assert f'href="/cases/{rw.cw.draft.pk}/"' in body
    assert rw.case.code in body
    assert "期限超過</strong>" not in body
    for text in EMPTY.values():
        assert text not in body


def test_the_home_page_shows_no_case_content(page_as, today):
    rw, *_ = today
    body = page_as(rw.world.member).get("/").content.decode()
    for text in [TASKS, ASSESSMENT, *(CLEAN_CASE[f] for f in ("summary", "history"))]:
        assert text not in body


def test_an_overdue_task_is_marked_in_words(page_as, today, time_machine):
    rw, _meeting, _pending, agreed = today
    time_machine.move_to("2026-12-16 09:00 +0900", tick=False)
    response = page_as(rw.world.member).get("/")
    assert response.context["home"].tasks_due.rows == [agreed]
    assert '<strong class="badge badge--overdue">期限超過</strong>' in response.content.decode()


def test_tasks_far_off_or_finished_are_not_listed(today, time_machine):
    rw, _meeting, _pending, agreed = today
    RoleAssignment.objects.filter(pk=agreed.pk).update(due_on=date(2026, 12, 25))
    assert home_for(rw.world.member, clock.now()).tasks_due.count == 0  # beyond 14 days
    RoleAssignment.objects.filter(pk=agreed.pk).update(due_on=date(2026, 12, 24))
    assert home_for(rw.world.member, clock.now()).tasks_due.count == 1  # the 14th day
    RoleAssignment.objects.filter(pk=agreed.pk).update(task_status="done")
    assert home_for(rw.world.member, clock.now()).tasks_due.count == 0


def test_an_answered_invitation_leaves_the_waiting_list_but_not_the_next_meetings(today):
    rw, meeting, *_ = today
    member = rw.world.member
    invitation = Invitation.objects.get(meeting=meeting, person=member)
    meeting_services.invitation_answer(person=member, invitation=invitation, response="accepted")
    home = home_for(member, clock.now())
    assert home.invitations.count == 0
    assert [i.meeting for i in home.meetings.rows] == [meeting]
    meeting_services.invitation_answer(person=member, invitation=invitation, response="declined")
    assert home_for(member, clock.now()).meetings.count == 0


def test_past_and_cancelled_meetings_are_not_next(today, time_machine):
    rw, meeting, *_ = today
    later = convened_meeting(rw, 22, title="事例検討会")
    meeting_services.meeting_cancel(actor=rw.world.coordinator, meeting=later)
    time_machine.move_to("2026-12-20 16:01 +0900", tick=False)
    home = home_for(rw.world.member, clock.now())
    assert home.meetings.count == 0
    assert home.invitations.count == 1  # still convened, still waiting for an answer


def test_next_meetings_come_soonest_first(today):
    rw, meeting, *_ = today
    earlier = convened_meeting(rw, 12, title="事例検討会")
    home = home_for(rw.world.member, clock.now())
    assert [i.meeting for i in home.meetings.rows] == [earlier, meeting]


def test_a_colleague_not_designated_sees_the_agency_s_tasks_and_drafts_but_answers_nothing(
    page_as, today
):
    rw, _meeting, _pending, agreed = today
    home = page_as(rw.world.colleague).get("/").context["home"]
    assert home.invitations.count == 0
    assert home.roles_to_answer.count == 0
    assert home.tasks_due.rows == [agreed]
    assert home.drafts.rows == [rw.cw.draft]


@pytest.mark.parametrize(
    "persona", ["coordinator", "peer", "third", "representative", "auditor", "stranger"]
)
def test_nothing_of_the_clinic_shows_to_others(page_as, today, persona):
    rw, _meeting, pending, agreed = today
    person = rw.person(persona)
    response = page_as(person).get("/")
    assert response.status_code == 200
    home = response.context["home"]
    assert home.roles_to_answer.count == home.tasks_due.count == home.drafts.count == 0
    body = response.content.decode()
    for path in (f"/roles/{pending.pk}/", f"/roles/{agreed.pk}/", f"/cases/{rw.cw.draft.pk}/"):
        assert path not in body


def test_the_admin_gets_an_empty_home(page_as, today):
    rw, *_ = today
    response = page_as(rw.world.admin).get("/")
    assert response.status_code == 200
    home = response.context["home"]
    assert [s.count for s in (home.invitations, home.meetings, home.drafts)] == [0, 0, 0]


def test_roles_to_answer_agree_with_the_rule(today):
    rw, _meeting, pending, agreed = today
    other = add_role(rw, rw.third.agency, function="family_support")
    outside = add_role(rw, rw.outsider.agency, function="place_to_belong")
    roles = [pending, agreed, other, outside]
    for persona in ["member", "colleague", "third", "outsider", "peer", "coordinator"]:
        person = rw.person(persona)
        listed = set(answerable_roles(person).values_list("pk", flat=True))
        for role in roles:
            role = RoleAssignment.objects.get(pk=role.pk)
            may = (
                rules.may_answer_role(person, role)
                and review_services.role_answers_open(role)
                and role.agreement == "pending"
            )
            visible = RoleAssignment.objects.filter(
                pk=role.pk, review__case__in=visible_cases(person)
            ).exists()
            assert (role.pk in listed) == (may and visible), (persona, role.function)


def test_sections_show_ten_rows_and_count_them_all(page_as, today):
    rw, *_ = today
    for day in range(11, 23):
        convened_meeting(rw, day)
    response = page_as(rw.world.member).get("/")
    home = response.context["home"]
    assert home.invitations.count == 13
    assert len(home.invitations.rows) == 10
    body = response.content.decode()
    assert "全13件" in body
    assert "最初の10件を表示" in body


def _many(rw: RoleWorld, n: int):
    clinic = rw.world.member.agency
    for i in range(n):
        convened_meeting(rw, 11 + i, title=f"会議{i}")
        role = add_role(rw, clinic, function="other", due_on=date(2026, 12, 12))
        review_services.role_agree(actor=rw.world.member, role=role)
        add_role(rw, clinic, function="other")
        make_case(rw.world.member, rw.world.network, title=f"下書き{i}")


HOME_QUERIES = 16


def test_the_number_of_queries_does_not_grow_with_the_rows(
    page_as, today, django_assert_max_num_queries
):
    rw, *_ = today
    client = page_as(rw.world.member)
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get("/").status_code == 200
    _many(rw, 12)
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get("/")
    home = response.context["home"]
    assert [len(s.rows) for s in (home.invitations, home.roles_to_answer, home.drafts)] == [10] * 3
    assert home.tasks_due.count == 13


def test_roles_to_answer_agree_with_the_rule_once_the_case_is_closed(today):
    """`answerable_roles` states `role_answers_open` as a filter: both say no for a closed
    case (the service would refuse the answer)."""
    rw, _meeting, pending, _agreed = today
    member = rw.world.member
    assert list(answerable_roles(member)) == [pending]
    case_services.case_close(actor=rw.world.coordinator, case=rw.case)
    role = RoleAssignment.objects.get(pk=pending.pk)
    assert not review_services.role_answers_open(role)
    assert list(answerable_roles(member)) == []


def test_a_closed_case_s_role_is_not_on_the_home_page(page_as, today):
    rw, _meeting, pending, _agreed = today
    case_services.case_close(actor=rw.world.coordinator, case=rw.case)
    response = page_as(rw.world.member).get("/")
    assert response.context["home"].roles_to_answer.count == 0
    assert f"/roles/{pending.pk}/" not in response.content.decode()


def test_the_home_page_and_the_roles_list_agree_on_overdue(today, time_machine):
    """One definition (`reviews.selectors.overdue_on`): the same role is overdue, or not, on
    both lists."""
    rw, _meeting, _pending, agreed = today
    member = rw.world.member
    for day, overdue in [("2026-12-15", False), ("2026-12-16", True)]:
        time_machine.move_to(f"{day} 09:00 +0900", tick=False)
        home = home_for(member, clock.now()).tasks_due.rows
        listed = {role.pk: role.overdue for role in followed_roles(member)}
        assert [(role.pk, role.overdue) for role in home] == [(agreed.pk, overdue)]
        assert listed[agreed.pk] is overdue
