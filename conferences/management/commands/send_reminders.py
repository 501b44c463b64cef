"""`manage.py send_reminders [--days N]`: the day's meeting reminders, by e-mail."""

from django.core.management.base import BaseCommand, CommandError

from conferences import notifications
from config import clock


class Command(BaseCommand):
    help = (
        "Remind invitees of convened meetings starting in N days (default 3), and ask those "
        "whose invitations have been pending for N days to answer. Run once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="days ahead (default 3)")

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days must not be negative.")
        sent = notifications.send_reminders(days=days, now=clock.now())
        self.stdout.write(self.style.SUCCESS(f"{sent} reminder(s) sent."))
