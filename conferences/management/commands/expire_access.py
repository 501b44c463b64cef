"""`manage.py expire_access`: delete time-limited case grants whose window has closed."""

from django.core.management.base import BaseCommand

from config import clock
from permissions import services


class Command(BaseCommand):
    help = (
        "Delete time-limited case grants (content windows after meetings) whose window has "
        "closed. Housekeeping only: expired grants already give nothing at read time."
    )

    def handle(self, *args, **options):
        deleted = services.expired_grants_delete(now=clock.now())
        self.stdout.write(self.style.SUCCESS(f"{deleted} expired grant(s) deleted."))
