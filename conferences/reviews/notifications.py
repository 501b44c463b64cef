"""E-mail asking agencies to answer the roles they have been asked to take.

Like the meeting mails (conferences/meetings/notifications.py), each mail is in Japanese, addressed
to one person, and carries no case content: the case's pseudonymous code, the function and
the due date only, never the tasks, the assessment or anything else typed about the case.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.utils import timezone

from conferences.meetings.notifications import FOOTER, SUBJECT_PREFIX
from conferences.models import Agreement, CaseStatus, RoleAssignment
from network.models import Membership, StaffRole, Tier

logger = logging.getLogger(__name__)

ASK = (
    "次の事例について、貴機関への役割分担の依頼に対するご回答（合意または辞退）を"
    "まだいただいていません。"
)
ASK_COORDINATOR = (
    "次の事例について、ネットワーク外の機関への役割分担の依頼が回答待ちのままです。"
    "合意が得られている場合は、代理で記録してください。"
)
ANSWER_HOW = "連携会議システムにログインし、事例の役割分担の画面からご回答ください。"


def _pending_since(days: int, now: datetime):
    """Assignments of open reviews pending for a whole multiple of `days` days today: the
    agency is asked again every `days` days while it has not answered."""
    today = timezone.localdate(now)
    roles = (
        RoleAssignment.objects.filter(
            agreement=Agreement.PENDING,
            review__finalized_at__isnull=True,
            review__case__status=CaseStatus.REVIEWED,
            asked_at__lte=now - timedelta(days=days - 1),
        )
        .select_related("review__case", "agency")
        .order_by("id")
    )
    waited = ((r, (today - timezone.localdate(r.asked_at)).days) for r in roles)
    return [role for role, n in waited if n >= days and n % days == 0]


def _recipients(role: RoleAssignment) -> tuple[list, str]:
    """The agency's designated practitioners in the case's network (the people who may
    answer; representatives see no cases); for an agency without any
    (an outside agency), the network's coordinators, who may record its answer."""
    case = role.review.case
    seats = Membership.objects.current(timezone.localdate()).filter(
        network_id=case.network_id, agency_id=role.agency_id, tier=Tier.PRACTITIONERS
    )
    # Only those a designation stands for: active, and staff of the seat's agency still (as
    # for invitations, `meetings.services._invitees`), whatever rows older data still holds.
    designations = Membership.designated_people.through.objects.filter(
        membership__in=seats, user__is_active=True, user__agency=F("membership__agency")
    ).select_related("user")
    people = [row.user for row in designations]
    if people:
        return people, ASK
    coordinators = StaffRole.objects.filter(
        network_id=case.network_id, role=StaffRole.Role.COORDINATOR, user__is_active=True
    ).select_related("user")
    return [r.user for r in coordinators], ASK_COORDINATOR


def _message(person, role: RoleAssignment, lead: str) -> EmailMessage:
    case = role.review.case
    due = f"{role.due_on.year}年{role.due_on.month}月{role.due_on.day}日" if role.due_on else "なし"
    lines = [
        f"事例番号：{case.code}",
        f"依頼先：{role.agency.name}",
        f"役割：{role.get_function_display()}",
        f"期限：{due}",
    ]
    body = "\n\n".join(
        [
            f"{person.display_name or person.get_username()} 様",
            lead,
            "\n".join(lines),
            ANSWER_HOW,
            FOOTER,
        ]
    )
    return EmailMessage(
        subject=f"{SUBJECT_PREFIX}役割分担へのご回答のお願い：{case.code}",
        body=body + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )


def send_agreement_reminders(*, days: int, now: datetime) -> int:
    """Ask for the answers pending `days`, `2 × days`, … days; return the mails sent."""
    if days < 1:
        raise ValueError("days must be at least 1")
    messages = []
    for role in _pending_since(days, now):
        people, lead = _recipients(role)
        seen = set()
        for person in people:
            if person.pk in seen or not person.email or not person.is_active:
                continue
            seen.add(person.pk)
            messages.append(_message(person, role, lead))
    if not messages:
        return 0
    sent = get_connection().send_messages(messages) or 0
    logger.info("%s agreement reminder(s) sent", sent)
    return sent
