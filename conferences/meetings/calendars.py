"""Meetings as iCalendar (RFC 5545), and the secrets of personal calendar feeds.

A meeting is one VEVENT whose UID never changes (`meeting-{pk}@{CALENDAR_UID_DOMAIN}`) and
whose SEQUENCE is the meeting's `revision`, so calendar programs replace the event they hold
instead of adding a second one when a meeting is moved, relocated or cancelled.

Only a meeting's title, time, place and online link go into a calendar: never its agenda,
its cases or a reason for cancelling, because calendars are copied to phones and to outside
calendar services.

A personal feed's secret is shown to its owner once; the database keeps only its SHA-256
digest (like Django's session and knox's token digests), so a leaked database does not
open anyone's feed, and looking a secret up by its digest compares no secret byte by byte.
"""

import hashlib
import secrets
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from agencies.models import User
from conferences.models import CalendarToken, Meeting, MeetingStatus
from config import clock
from config.errors import Forbidden
from config.inputs import one_line
from permissions.rules import may_read_calendar_feed
from permissions.selectors import standing_invitations

PRODID = "-//Renkei//Meetings 1.0//JA"
DEFAULT_UID_DOMAIN = "renkei.invalid"
STATUS = {
    MeetingStatus.DRAFT: "TENTATIVE",
    MeetingStatus.CANCELLED: "CANCELLED",
}
METHODS = ("REQUEST", "CANCEL", "PUBLISH")


def meeting_uid(meeting: Meeting) -> str:
    """The event's UID: the same for the whole life of the meeting."""
    domain = getattr(settings, "CALENDAR_UID_DOMAIN", DEFAULT_UID_DOMAIN)
    return f"meeting-{meeting.pk}@{domain}"


def _calendar(*, method: str | None = None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        if method not in METHODS:
            raise ValueError(f"unknown iTIP method {method!r}")
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or settings.DEFAULT_FROM_EMAIL}")
    if name:
        organizer.params["cn"] = name
    return organizer


def _event(meeting: Meeting, *, stamp, attendee: User | None = None, itip: bool = False) -> Event:
    zone = timezone.get_default_timezone()  # Asia/Tokyo
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("dtstart", timezone.localtime(meeting.starts_at, zone))
    event.add("dtend", timezone.localtime(meeting.ends_at, zone))
    event.add("sequence", meeting.revision)
    # Titles and places are single-line texts; `one_line` keeps older rows so as well.
    event.add("summary", one_line(meeting.title))
    event.add("status", STATUS.get(meeting.status, "CONFIRMED"))
    event.add("last-modified", meeting.updated_at)
    if meeting.location:
        event.add("location", one_line(meeting.location))
    if meeting.online_url:
        event.add("url", meeting.online_url)
        event.add("description", f"オンライン参加: {meeting.online_url}")
    if itip:
        # iTIP (RFC 5546) wants an organizer and the attendee the message is for. RSVP is
        # false: answers are given in the service, not by replying to a no-reply address.
        event.add("organizer", _organizer())
        if attendee is not None and attendee.email:
            address = vCalAddress(f"mailto:{attendee.email}")
            address.params["cn"] = one_line(attendee.display_name) or attendee.get_username()
            address.params["role"] = "REQ-PARTICIPANT"
            address.params["rsvp"] = "FALSE"
            event.add("attendee", address)
    return event


def meeting_ical(
    meeting: Meeting, *, method: str | None = None, attendee: User | None = None
) -> bytes:
    """One VCALENDAR with one VEVENT for the meeting, and a VTIMEZONE for Asia/Tokyo.

    `method` ("REQUEST" or "CANCEL") makes it an iTIP message for an e-mail, with an
    organizer and, if given, the `attendee` it is addressed to; without it, a plain
    calendar for downloading. Contains nothing but title, time, place and online link.
    """
    cal = _calendar(method=method)
    cal.add_component(_event(meeting, stamp=clock.now(), attendee=attendee, itip=bool(method)))
    cal.add_missing_timezones()
    return cal.to_ical()


def person_meetings(person: User):
    """The meetings a person is invited to (standing invitations: not those of an agency
    they have left), drafts excluded (they have no invitations, and a draft is not yet
    anyone's appointment)."""
    invited = standing_invitations().filter(person=person).values("meeting_id")
    return (
        Meeting.objects.filter(pk__in=invited)
        .exclude(status=MeetingStatus.DRAFT)
        .order_by("starts_at", "id")
    )


def person_feed_ical(person: User) -> bytes:
    """The person's feed: one VEVENT per meeting they are invited to (convened, held,
    closed or cancelled), for calendar programs to subscribe to."""
    cal = _calendar(name="連携会議の予定")
    # Subscribing programs poll; hourly is plenty for meetings set weeks ahead.
    cal.add("x-published-ttl", "PT1H")
    stamp = clock.now()
    for meeting in person_meetings(person):
        cal.add_component(_event(meeting, stamp=stamp))
    cal.add_missing_timezones()
    return cal.to_ical()


# --- the feed's secret ----------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def calendar_token_renew(person: User) -> str:
    """Issue a new feed secret for the person and return it: the only time it is ever
    available. Any earlier secret stops working at once (only the digest is stored, and it
    is replaced). `Forbidden` for a person whose feed may not be read
    (`may_read_calendar_feed`: a deactivated account), nothing written."""
    if not may_read_calendar_feed(person):
        raise Forbidden("permission_denied")
    secret = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(
        person=person, defaults={"digest": _digest(secret), "created_at": clock.now()}
    )
    return secret


@transaction.atomic
def calendar_token_revoke(person: User) -> None:
    """Withdraw the person's feed secret; harmless when there is none."""
    CalendarToken.objects.filter(person=person).delete()


def calendar_token_of(person: User) -> CalendarToken | None:
    """The person's token record (digest and date), or None: never the secret."""
    return CalendarToken.objects.filter(person=person).first()


def person_for_calendar_token(secret: str) -> User | None:
    """The active person whose feed `secret` opens, or None (unknown, revoked, renewed or
    an inactive account). The lookup is by digest, so no secret is compared in clear."""
    if not secret or len(secret) > 256:
        return None
    token = CalendarToken.objects.select_related("person").filter(digest=_digest(secret)).first()
    if token is None or not may_read_calendar_feed(token.person):
        return None
    return token.person
