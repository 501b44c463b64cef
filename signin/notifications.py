"""E-mail to coordinators when someone keeps failing to sign in as one of their people.

Like the meeting mails, in Japanese and addressed to one person each. It says whose
account, how many failures and what to do; never a password (the service has none in
clear) nor anything typed in the attempts.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from conferences.meetings.notifications import SUBJECT_PREFIX

logger = logging.getLogger(__name__)

SUBJECT = "ログインの失敗が続いています"
BODY = (
    "{name}さん（ユーザー名：{username}）のアカウントで、過去24時間にログインの失敗が"
    "{failures}回ありました。\n\n"
    "このアカウントは、二要素認証（認証アプリのワンタイムコード）でのログインを除き、"
    "しばらくの間ログインできません。\n"
    "ご本人の入力誤りでなければ、第三者がパスワードを推測しようとしている可能性があります。"
    "ご本人に確認し、必要に応じてパスワードの変更と二要素認証の設定を依頼してください。\n\n"
    "このメールには、パスワードや入力された内容は記載していません。\n"
    "このメールは送信専用です。ご返信いただいてもお答えできません。"
)


def login_cap_reached(*, username: str, failures: int) -> None:
    """After the commit (at once outside a transaction), robustly: mail the coordinators of
    the networks of the person with this username. Nobody by that name: logged only."""
    transaction.on_commit(partial(_send, username, failures), robust=True)


def _recipients(person):
    from agencies.models import User
    from network.models import StaffRole
    from permissions.selectors import own_networks

    return (
        User.objects.filter(
            is_active=True,
            staff_roles__role=StaffRole.Role.COORDINATOR,
            staff_roles__network__in=own_networks(person).values("pk"),
        )
        .exclude(email="")
        .distinct()
        .order_by("id")
    )


def _send(username: str, failures: int) -> int:
    from agencies.models import User

    person = User.objects.filter(username=username).first()
    if person is None:
        logger.info("login cap reached for a username nobody has; no one to alert")
        return 0
    body = BODY.format(name=person.display_name, username=person.username, failures=failures)
    messages = [
        EmailMessage(
            subject=f"{SUBJECT_PREFIX}{SUBJECT}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[coordinator.email],
        )
        for coordinator in _recipients(person)
    ]
    if not messages:
        logger.warning("login cap reached for %s: no coordinator with an e-mail address", username)
        return 0
    sent = get_connection().send_messages(messages)
    logger.info("login cap reached for %s: %s coordinator(s) alerted", username, sent)
    return sent
