"""`manage.py cases purge_expired`: destroy the content of cases past their retention."""

from django.core.management.base import BaseCommand

from conferences.cases import services


class Command(BaseCommand):
    help = (
        "Case housekeeping. 'purge_expired' destroys the data keys of cases closed longer "
        "than their network's retention years: content unrecoverable, facts kept."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge_expired", help="purge cases whose retention has ended")

    def handle(self, *args, action, **options):
        if action == "purge_expired":
            purged = services.cases_purge_expired()
            for case in purged:
                self.stdout.write(f"purged {case.code} (network {case.network_id})")
            self.stdout.write(self.style.SUCCESS(f"{len(purged)} case(s) purged."))
