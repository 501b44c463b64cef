"""E-mail to invitees: convening (and inviting people seated after it), moving or
relocating, cancelling, and reminders.

Each mail is in Japanese, addressed to one person (invitees never see each other's
addresses), and carries the meeting as an iCalendar attachment (`text/calendar;
method=REQUEST`, or `CANCEL` when the meeting is called off) that mail programs offer to put
in the calendar, replacing earlier versions by UID and SEQUENCE.

What a mail may say is fixed here: the meeting's title, time, place and online link. Never
its agenda, the cases on it, a reason for cancelling, or anything else a coordinator typed,
because mail leaves the service for outside servers and phones.

Notices are queued with `transaction.on_commit`, so nothing is sent for a change that is
rolled back, and robustly, so a mail server that is down never undoes or fails the change
(the error is logged).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from conferences.meetings.calendars import meeting_ical
from conferences.models import Invitation, Meeting, MeetingStatus
from config.inputs import one_line
from permissions.selectors import standing_invitations

logger = logging.getLogger(__name__)

WEEKDAYS = "月火水木金土日"
SUBJECT_PREFIX = "【連携会議】"
FOOTER = (
    "このメールには事例の情報は記載していません。"
    "議題や資料は連携会議システムにログインしてご確認ください。\n"
    "このメールは送信専用です。ご返信いただいてもお答えできません。"
)


@dataclass(frozen=True)
class Notice:
    subject: str
    lead: str
    method: str = "REQUEST"


CONVENED = Notice(
    "会議のご案内",
    "次のとおり会議を招集します。ご出席をお願いいたします。\n"
    "出欠は連携会議システムからご回答ください。",
)
CHANGED = Notice(
    "日時・場所の変更",
    "次の会議の日時または場所が変更になりました。変更後の内容は次のとおりです。",
)
CANCELLED = Notice(
    "開催中止のお知らせ",
    "次の会議は中止となりました。予定を取り消していただきますようお願いいたします。",
    method="CANCEL",
)
REMINDER = Notice("開催のお知らせ", "次の会議の開催が近づいています。")
PENDING = Notice(
    "出欠のご回答のお願い",
    "次の会議への出欠のご回答をまだいただいていません。\n"
    "連携会議システムからご回答をお願いいたします。",
)
ANSWER_PLEASE = "出欠のご回答がまだの場合は、連携会議システムからご回答をお願いいたします。"


def _day(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日（{WEEKDAYS[moment.weekday()]}）"


def meeting_when(meeting: Meeting) -> str:
    """「2026年12月10日（木）14:00〜16:00」in the service's time zone."""
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    if start.date() == end.date():
        return f"{_day(start)}{start:%H:%M}〜{end:%H:%M}"
    return f"{_day(start)}{start:%H:%M}〜{_day(end)}{end:%H:%M}"


def _details(meeting: Meeting) -> str:
    lines = [
        f"会議名：{one_line(meeting.title)}",
        f"日時：{meeting_when(meeting)}",
        f"場所：{one_line(meeting.location) or '（未定）'}",
    ]
    if meeting.online_url:
        lines.append(f"オンライン参加：{meeting.online_url}")
    return "\n".join(lines)


def _message(meeting: Meeting, invitation: Invitation, notice: Notice) -> EmailMessage:
    """One person's mail. Built from the meeting's title, time, place and link only.

    Texts typed by people go through `one_line`: a line break in a subject is a new header
    (Django refuses to send it at all), and rows written before titles were checked, or
    through a door that skips the check, must not stop a meeting's notices."""
    person = invitation.person
    name = one_line(person.display_name) or person.get_username()
    paragraphs = [f"{name} 様", notice.lead]
    paragraphs.append(_details(meeting))
    if notice is REMINDER and invitation.response == Invitation.Response.PENDING:
        paragraphs.append(ANSWER_PLEASE)
    paragraphs.append(FOOTER)
    message = EmailMessage(
        subject=f"{SUBJECT_PREFIX}{notice.subject}：{one_line(meeting.title)}",
        body="\n\n".join(paragraphs) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )
    ics = meeting_ical(meeting, method=notice.method, attendee=person)
    # The method parameter on the part is what makes mail programs treat it as an invitation.
    message.attach(
        f"meeting-{meeting.pk}.ics",
        ics,
        f"text/calendar; method={notice.method}",
    )
    return message


def _send(meeting: Meeting, invitations, notice: Notice) -> int:
    messages = [
        _message(meeting, invitation, notice)
        for invitation in invitations
        if invitation.person.email and invitation.person.is_active
    ]
    if not messages:
        return 0
    sent = get_connection().send_messages(messages) or 0
    logger.info("meeting %s: %s mail(s) sent (%s)", meeting.pk, sent, notice.subject)
    return sent


def _invitations(meeting: Meeting):
    # Standing invitations only: someone who has left the agency invited for gets no more
    # of the meeting's times, places or links.
    return standing_invitations().filter(meeting=meeting).select_related("person").order_by("id")


def _notify_invitees(
    meeting_id: int,
    notice: Notice,
    people: frozenset[int] | None = None,
    excluding: frozenset[int] = frozenset(),
) -> int:
    # Read again after the commit: the mail shows the meeting as it was saved.
    meeting = Meeting.objects.get(pk=meeting_id)
    invitations = _invitations(meeting)
    if people is not None:
        invitations = invitations.filter(person_id__in=people)
    if excluding:
        invitations = invitations.exclude(person_id__in=excluding)
    return _send(meeting, invitations, notice)


def _after_commit(
    meeting: Meeting, notice: Notice, *, people=None, excluding: Iterable[int] = ()
) -> None:
    people = frozenset(people) if people is not None else None
    send = partial(_notify_invitees, meeting.pk, notice, people, frozenset(excluding))
    transaction.on_commit(send, robust=True)


def meeting_convened(meeting: Meeting, *, people: Iterable[int] | None = None) -> None:
    """After the commit: the invitation, with METHOD:REQUEST, to every invitee, or only to
    the invitees among `people` (ids; those invited after convening)."""
    _after_commit(meeting, CONVENED, people=people)


def meeting_changed(meeting: Meeting, *, excluding: Iterable[int] = ()) -> None:
    """After the commit: every invitee but those in `excluding` (ids) gets the moved or
    relocated meeting (REQUEST, with the higher SEQUENCE, so calendars update the event
    they hold)."""
    _after_commit(meeting, CHANGED, excluding=excluding)


def meeting_cancelled(meeting: Meeting) -> None:
    """After the commit: every invitee gets the cancellation, with METHOD:CANCEL."""
    _after_commit(meeting, CANCELLED)


def send_reminders(*, days: int, now: datetime) -> int:
    """Send the day's reminders and return how many mails went out. Meant to run once a
    day (`manage.py send_reminders`): running it twice the same day sends twice.

    - Every convened meeting starting `days` days from today (Tokyo date), and not yet
      started: each invitee who has not declined is reminded (those who have not answered
      are also asked to).
    - Invitations still pending `days` days after they were sent, for convened meetings
      later than that: the invitee is asked to answer (sooner meetings are covered above).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    today = timezone.localdate(now)
    target = today + timedelta(days=days)
    sent = 0
    upcoming = Meeting.objects.filter(
        status=MeetingStatus.CONVENED, starts_at__date=target, starts_at__gt=now
    ).order_by("starts_at", "id")
    for meeting in upcoming:
        invitations = _invitations(meeting).exclude(response=Invitation.Response.DECLINED)
        sent += _send(meeting, invitations, REMINDER)
    if days >= 1:
        sent_on = today - timedelta(days=days)
        pending = (
            standing_invitations()
            .filter(
                response=Invitation.Response.PENDING,
                created_at__date=sent_on,
                meeting__status=MeetingStatus.CONVENED,
                meeting__starts_at__date__gt=target,
            )
            .select_related("person", "meeting")
            .order_by("meeting_id", "id")
        )
        by_meeting: dict[int, list[Invitation]] = {}
        for invitation in pending:
            by_meeting.setdefault(invitation.meeting_id, []).append(invitation)
        for invitations in by_meeting.values():
            sent += _send(invitations[0].meeting, invitations, PENDING)
    return sent
