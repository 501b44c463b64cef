"""Leaving an agency ends, at once, what the agency and the person's invitations gave them.

A person reaches a case's content through one of three doors: an invitation to the
practitioners' meeting that reviewed it, their own agency (the submitting agency), or their
agency holding an agreed role. Each door is tried with a person who then leaves: moved to
another agency of the same network, set to no agency, or deactivated. Afterwards every
content path (the case, its reviews, roles, progress, history, exports, the meeting's
minutes and the comments on them) answers as if nothing were there (404), while a colleague
still in the agency keeps their access.
"""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from agencies.models import Sector
from conferences.minutes import services as minutes_services
from conferences.models import Minutes, MinutesComment, ProgressNote
from conferences.reviews import services as review_services
from network.models import Tier
from tests.conferences.role_fixtures import RoleWorld, final_review
from tests.conftest import sign_pledges, verified_login
from tests.factories import AgencyFactory, UserFactory, seat

pytestmark = pytest.mark.django_db

MINUTES = "事例について保健師が訪問を継続し、クリニックが家族面談を担うことを確認した。"
COMMENT = "家族面談は月2回と記載をお願いします。"


@dataclass
class Doors:
    rw: RoleWorld
    lead: object  # the clinic's role (the submitting agency's)
    family: object  # the 保健所's role (agreed, the case in monitoring)
    # door -> (the person who will leave, a colleague of the same agency with the same door)
    people: dict
    elsewhere: object  # another agency of network A, seated, where a moved person goes

    def urls(self, door: str) -> dict[str, str]:
        """The content paths open to a person through `door`."""
        case, review, meeting = self.rw.case, self.rw.review, self.rw.meeting
        own_role = self.family if door == "role" else self.lead
        paths = {
            "case": f"/api/v1/cases/{case.pk}/",
            "reviews": f"/api/v1/cases/{case.pk}/reviews/",
            "review": f"/api/v1/reviews/{review.pk}/",
            "roles": f"/api/v1/reviews/{review.pk}/roles/",
            "role": f"/api/v1/roles/{own_role.pk}/",
            "history": f"/api/v1/reviews/{review.pk}/history/",
            "export_csv": f"/api/v1/reviews/{review.pk}/role-division.csv",
            "export_xlsx": f"/api/v1/reviews/{review.pk}/role-division.xlsx",
        }
        if door != "invitation":
            paths["progress"] = f"/api/v1/roles/{own_role.pk}/progress/"
        if door == "invitation":
            paths["meeting"] = f"/api/v1/meetings/{meeting.pk}/"
            paths["minutes"] = f"/api/v1/meetings/{meeting.pk}/minutes/"
            paths["comments"] = f"/api/v1/meetings/{meeting.pk}/minutes/comments/"
            paths["calendar"] = f"/api/v1/meetings/{meeting.pk}/calendar.ics"
        return paths

    def writes(self, door: str) -> dict[str, tuple[str, dict]]:
        """The content writes open through `door`: commenting on the minutes (invitees),
        recording progress (the role's agency)."""
        if door == "invitation":
            url = f"/api/v1/meetings/{self.rw.meeting.pk}/minutes/comments/"
            return {"comment": (url, {"body": COMMENT})}
        role = self.family if door == "role" else self.lead
        return {
            "progress": (
                f"/api/v1/roles/{role.pk}/progress/",
                {"note": "訪問を継続中", "task_status": "in_progress"},
            )
        }


@pytest.fixture
def doors(case_world, api_as, time_machine) -> Doors:
    """The held case conference of role_fixtures, its review final (the clinic leads, the
    保健所 does family support; both agreed; the case in monitoring), its minutes written
    and circulated. People:
    - invitation: `peer` and `peer2`, designated for ハローワーク, invited, no role;
    - own agency: `colleague` and `colleague2`, the clinic's staff, neither invited;
    - role: `health2` and `health3`, staff of the 保健所, neither designated nor invited."""
    from tests.conferences.role_fixtures import hold_case_conference

    world = case_world.world
    peer_agency = case_world.peer.agency
    peer2 = UserFactory(username="peer2", agency=peer_agency, display_name="就労 八郎")
    membership = peer_agency.memberships.get(network=world.network)
    membership.designated_people.add(peer2)
    colleague2 = UserFactory(username="colleague2", agency=world.member.agency)
    health = AgencyFactory(name="保健所", name_kana="ほけんじょ", sector=Sector.PUBLIC_HEALTH)
    third = UserFactory(username="third", agency=health, display_name="保健 六子")
    seat(world.network, health, Tier.PRACTITIONERS, people=[third])
    health2 = UserFactory(username="health2", agency=health)
    health3 = UserFactory(username="health3", agency=health)
    outsider = UserFactory(username="outsider", agency=AgencyFactory(name="若者サポステ"))
    meeting = hold_case_conference(case_world, api_as, time_machine)
    sign_pledges(world.network, peer2, colleague2, third, health2, health3, outsider)
    review = review_services.review_create(
        actor=world.coordinator,
        case=case_world.submitted,
        meeting=meeting,
        assessment="本人は外出への不安が強い。",
        support_direction="保健師の訪問を軸に進める。",
    )
    rw = RoleWorld(cw=case_world, meeting=meeting, review=review, third=third, outsider=outsider)
    lead, family = final_review(rw)
    minutes_services.minutes_save(actor=world.coordinator, meeting=meeting, body=MINUTES)
    minutes_services.minutes_circulate(actor=world.coordinator, meeting=meeting)
    elsewhere = AgencyFactory(name="転出先の相談室", sector=Sector.WELFARE)
    seat(world.network, elsewhere, Tier.PRACTITIONERS)
    return Doors(
        rw=rw,
        lead=lead,
        family=family,
        people={
            "invitation": (case_world.peer, peer2),
            "own_agency": (world.colleague, colleague2),
            "role": (health2, health3),
        },
        elsewhere=elsewhere,
    )


def leave(doors: Doors, person, how: str, through: str = "api") -> None:
    """The person leaves their agency: through `PATCH /users/{id}/` by the platform admin,
    or through a plain save of the account (the shell, a management command)."""
    changes = {
        "moved": {"agency": doors.elsewhere},
        "no_agency": {"agency": None},
        "deactivated": {"is_active": False},
    }[how]
    if through == "api":
        client = APIClient()
        client.force_authenticate(doors.rw.world.admin)
        body = {k: getattr(v, "pk", v) for k, v in changes.items()}
        response = client.patch(f"/api/v1/users/{person.pk}/", body, format="json")
        assert response.status_code == 200, response.content
        person.refresh_from_db()
    else:
        for name, value in changes.items():
            setattr(person, name, value)
        person.save()


DOORS = ["invitation", "own_agency", "role"]
LEAVING = ["moved", "no_agency", "deactivated"]


@pytest.mark.parametrize("door", DOORS)
def test_every_door_opens_before_anyone_leaves(api_as, doors, door):
    person, _colleague = doors.people[door]
    client = api_as(person)
    for name, url in doors.urls(door).items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)


@pytest.mark.parametrize("through", ["api", "save"])
@pytest.mark.parametrize("how", LEAVING)
@pytest.mark.parametrize("door", DOORS)
def test_leaving_closes_every_content_path(api_as, doors, door, how, through):
    person, _colleague = doors.people[door]
    leave(doors, person, how, through)
    # Authenticated whatever the account's state: this is about the rules, not the login.
    client = api_as(person)
    for name, url in doors.urls(door).items():
        response = client.get(url)
        assert response.status_code == 404, (name, response.status_code)
        assert MINUTES not in response.content.decode()


@pytest.mark.parametrize("how", LEAVING)
@pytest.mark.parametrize("door", DOORS)
def test_leaving_closes_every_content_write(api_as, doors, door, how):
    person, _colleague = doors.people[door]
    leave(doors, person, how)
    client = api_as(person)
    for name, (url, body) in doors.writes(door).items():
        response = client.post(url, body, format="json")
        assert response.status_code == 404, (name, response.status_code)
    assert not MinutesComment.objects.filter(author=person).exists()
    assert not ProgressNote.objects.filter(created_by=person).exists()


@pytest.mark.parametrize("door", DOORS)
def test_a_colleague_still_in_the_agency_keeps_access(api_as, doors, door):
    person, colleague = doors.people[door]
    leave(doors, person, "moved")
    client = api_as(colleague)
    for name, url in doors.urls(door).items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
    for name, (url, body) in doors.writes(door).items():
        response = client.post(url, body, format="json")
        assert response.status_code == 201, (name, response.content)


def test_a_moved_invitee_is_not_given_a_case_added_to_the_agenda_later(doors, next_meeting):
    """Invitations of people who left give nothing to the cases added afterwards either."""
    from conferences.meetings import services as meeting_services
    from permissions.selectors import case_access
    from tests.conftest import make_case

    world = doors.rw.world
    peer, peer2 = doors.people["invitation"]
    leave(doors, peer, "moved")
    later = make_case(world.member, world.network, submit=True)
    meeting_services.agenda_item_add(
        actor=world.coordinator, meeting=next_meeting, kind="case_review", case=later
    )
    assert case_access(peer2, later).content
    assert not case_access(peer, later).facts


def test_minutes_stay_readable_to_coordinators(api_as, doors):
    leave(doors, doors.people["invitation"][0], "moved")
    response = api_as(doors.rw.world.coordinator).get(
        f"/api/v1/meetings/{doors.rw.meeting.pk}/minutes/"
    )
    assert response.status_code == 200
    assert response.json()["body"] == MINUTES
    assert Minutes.objects.get().status == Minutes.Status.CIRCULATED


def admin_form_data(person, **changes) -> dict:
    """The admin's change form for `person`, as its page submits it, with `changes`."""
    data = {
        "username": person.username,
        "display_name": person.display_name,
        "email": person.email,
        "agency": person.agency_id or "",
        "job_title": person.job_title,
        "qualifications": "[]",
        "is_active": "on" if person.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.parametrize("how", LEAVING)
def test_leaving_through_the_admin_is_the_same_event(api_as, doors, how):
    """The platform admin's change form goes through the same domain event as the API:
    content closed, tokens and sessions ended."""
    from django.test import Client
    from knox.models import AuthToken

    person, colleague = doors.people["invitation"]
    _instance, token = AuthToken.objects.create(user=person)
    browser = Client()
    browser.force_login(person)
    admin = verified_login(Client(), doors.rw.world.admin)  # the admin wants a second factor
    changes = {
        "moved": {"agency": doors.elsewhere.pk},
        "no_agency": {"agency": ""},
        "deactivated": {"is_active": ""},
    }[how]
    response = admin.post(
        f"/admin/agencies/user/{person.pk}/change/", admin_form_data(person, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.agency_id != colleague.agency_id or not person.is_active
    assert not AuthToken.objects.filter(user=person).exists()
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    for name, url in doors.urls("invitation").items():
        assert api_as(person).get(url).status_code == 404, name
    assert api_as(colleague).get(doors.urls("invitation")["minutes"]).status_code == 200


def test_a_person_designated_again_elsewhere_is_invited_again_for_that_agency(
    api_as, doors, next_meeting
):
    """Leaving lapses the invitation; being designated for another agency of the tier and
    the meeting's next update invite the person again, for the new agency."""
    from conferences.meetings import services as meeting_services
    from conferences.models import Invitation
    from network import services as network_services

    world = doors.rw.world
    peer, _peer2 = doors.people["invitation"]
    url = f"/api/v1/meetings/{next_meeting.pk}/"
    assert api_as(peer).get(url).status_code == 200
    leave(doors, peer, "moved")
    assert api_as(peer).get(url).status_code == 404
    assert Invitation.objects.get(meeting=next_meeting, person=peer).lapsed_at is not None

    seat_ = doors.elsewhere.memberships.get(network=world.network)
    network_services.membership_update(membership=seat_, designated_people=[peer])
    meeting_services.meeting_update(actor=world.coordinator, meeting=next_meeting)

    invitation = Invitation.objects.get(meeting=next_meeting, person=peer)
    assert (invitation.agency, invitation.lapsed_at, invitation.response) == (
        doors.elsewhere,
        None,
        Invitation.Response.PENDING,
    )
    assert api_as(peer).get(url).status_code == 200


@pytest.fixture
def next_meeting(doors):
    """A case conference convened for next year: `peer` and `peer2` invited."""
    from conferences.meetings import services as meeting_services

    world = doors.rw.world
    meeting = meeting_services.meeting_create(
        actor=world.coordinator,
        network=world.network,
        kind="case_conference",
        title="次回の事例検討会",
        location="市役所 会議室A",
        starts_at=doors.rw.meeting.starts_at.replace(year=2027),
        ends_at=doors.rw.meeting.ends_at.replace(year=2027),
    )
    return meeting_services.meeting_convene(actor=world.coordinator, meeting=meeting)


def test_a_moved_persons_calendar_feed_drops_the_meetings_of_the_agency_left(
    api, doors, next_meeting
):
    from conferences.meetings.calendars import calendar_token_renew, meeting_uid

    peer, peer2 = doors.people["invitation"]
    secrets = {person: calendar_token_renew(person) for person in (peer, peer2)}
    uid = meeting_uid(next_meeting)
    assert uid in api.get(f"/api/v1/calendar/{secrets[peer]}.ics").content.decode()
    leave(doors, peer, "moved")
    assert uid not in api.get(f"/api/v1/calendar/{secrets[peer]}.ics").content.decode()
    assert uid in api.get(f"/api/v1/calendar/{secrets[peer2]}.ics").content.decode()


def test_a_moved_person_is_no_longer_mailed_the_meetings_changes(
    doors, next_meeting, mailoutbox, django_capture_on_commit_callbacks
):
    from conferences.meetings import services as meeting_services

    peer, peer2 = doors.people["invitation"]
    for person in (peer, peer2):
        person.email = f"{person.username}@example.jp"
        person.save(update_fields=["email"])
    leave(doors, peer, "moved")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_update(
            actor=doors.rw.world.coordinator, meeting=next_meeting, location="市役所 会議室B"
        )
    recipients = {address for message in mailoutbox for address in message.to}
    assert "peer2@example.jp" in recipients
    assert "peer@example.jp" not in recipients


def test_coordinators_see_when_an_invitation_lapsed(api_as, doors):
    peer, peer2 = doors.people["invitation"]
    leave(doors, peer, "moved")
    response = api_as(doors.rw.world.coordinator).get(
        f"/api/v1/meetings/{doors.rw.meeting.pk}/invitations/", {"page_size": 200}
    )
    lapsed = {row["person"]: row["lapsed_at"] for row in response.json()["results"]}
    assert lapsed[peer.pk] == "2026-12-10T16:30:00+09:00"
    assert lapsed[peer2.pk] is None
