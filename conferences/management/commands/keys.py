"""`manage.py keys init`: create the production keyring (never overwrites one)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from conferences.encryption import KeyringError, create_keyring_file


class Command(BaseCommand):
    help = "Manage the encryption keyring. 'init' writes a new keyring to KEYRING_FILE."
    # The keyring check would refuse to run before the keyring exists, which is init's job.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="write a new keyring (mode 0600); refuses to overwrite")
        init.add_argument("--path", help="where to write it (default: KEYRING_FILE)")

    def handle(self, *args, action, **options):
        if action == "init":
            path = Path(options.get("path") or settings.KEYRING_FILE)
            try:
                keyring = create_keyring_file(path)
            except KeyringError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                self.style.SUCCESS(f"Created keyring {path} with active key {keyring.active_id}.")
            )
            self.stdout.write("Back it up now and keep it out of the database and its backups.")
