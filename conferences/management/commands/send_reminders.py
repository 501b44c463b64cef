"""`manage.py send_reminders [--days N] [--agreement-days M]`: the day's reminders."""

from django.core.management.base import BaseCommand, CommandError

from conferences.meetings import notifications
from conferences.reviews import notifications as role_notifications
from config import clock


class Command(BaseCommand):
    help = (
        "Remind invitees of convened meetings starting in N days (default 3), ask those "
        "whose invitations have been pending for N days to answer, and ask agencies whose "
        "role assignments have waited M days (default 7; again every M days) to agree or "
        "decline. Run once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="days ahead (default 3)")
        parser.add_argument(
            "--agreement-days",
            type=int,
            default=7,
            help="days a role assignment may wait for its answer (default 7)",
        )

    def handle(self, *args, days, agreement_days, **options):
        if days < 0:
            raise CommandError("--days must not be negative.")
        if agreement_days < 1:
            raise CommandError("--agreement-days must be at least 1.")
        now = clock.now()
        sent = notifications.send_reminders(days=days, now=now)
        asked = role_notifications.send_agreement_reminders(days=agreement_days, now=now)
        self.stdout.write(self.style.SUCCESS(f"{sent} reminder(s) sent."))
        self.stdout.write(self.style.SUCCESS(f"{asked} agreement reminder(s) sent."))
