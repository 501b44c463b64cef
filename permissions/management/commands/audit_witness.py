"""`manage.py audit_witness`: anchor the access chains outside the database.

    audit_witness                          append each network's chain head to AUDIT_WITNESS
    audit_witness --verify                 check every chain against the configured file
    audit_witness --verify --witness PATH  ... against an auditor's copy (or a syslog extract)
    audit_witness --verify --network ID    ... one network only

Run the first form daily. It verifies each chain before witnessing it and leaves out (and
reports) a chain that fails, so a fresh line never blesses a chain cut short. It only ever
appends. Both forms exit with status 1 when anything is wrong, so that cron mails it.
`--verify` prints one JSON report per network, shaped as `GET /audit/verify/` answers.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config import clock
from network.models import Network
from permissions import services, witness
from permissions.selectors import access_chain_networks, access_chain_verify


class Command(BaseCommand):
    help = (
        "Append each network's access chain head to the witness (AUDIT_WITNESS), or with "
        "--verify check the chains against a witness."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--verify", action="store_true", help="check the chains instead of witnessing them"
        )
        parser.add_argument(
            "--witness",
            type=Path,
            help="with --verify: the witness file to check against (default: AUDIT_WITNESS)",
        )
        parser.add_argument("--network", type=int, help="with --verify: this network only")

    def handle(self, *args, **options):
        if options["verify"]:
            return self.verify(options["witness"], options["network"])
        if options["witness"] or options["network"]:
            raise CommandError("--witness and --network go with --verify")
        self.write()

    def write(self):
        try:
            run = services.access_chain_witness(now=clock.now())
        except witness.WitnessError as error:
            raise CommandError(str(error)) from error
        for network_id, report, written in run.reports:
            if written:
                self.stdout.write(f"network {network_id}: head #{report.head[0]} witnessed")
            else:
                line = json.dumps(report.as_dict(network_id))
                self.stderr.write(f"network {network_id}: NOT witnessed, {line}")
        if run.refused:
            raise CommandError(
                f"{len(run.refused)} chain(s) failed verification and were not witnessed"
            )
        flagged = [n for n, report, _ in run.reports if report.witness and report.witness.bad_lines]
        if flagged or run.unreadable:
            raise CommandError(
                f"the witness holds lines that fail their MAC (networks {flagged}) or are no "
                f"witness line (lines {run.unreadable})"
            )

    def verify(self, path: Path | None, only: int | None):
        log = self._witness_log(path)
        if only is not None:
            networks = [Network.objects.filter(pk=only).first() or Network(pk=only)]
        else:
            networks = access_chain_networks(log)
        failed = 0
        for network in networks:
            report = access_chain_verify(network, witness=log)
            failed += not report.ok
            self.stdout.write(json.dumps(report.as_dict(network.pk)))
        if log.unreadable:
            self.stderr.write(f"{log.source}: lines that are no witness line: {log.unreadable}")
        if failed or log.unreadable:
            raise CommandError(
                f"{failed} chain(s) of {len(networks)} do not verify against {log.source}"
                if failed
                else f"{log.source} holds lines that are no witness line"
            )
        self.stdout.write(
            self.style.SUCCESS(f"{len(networks)} chain(s) verify against {log.source}")
        )

    def _witness_log(self, path: Path | None) -> witness.WitnessLog:
        if path is None:
            target = witness.configured_witness()
            if target is None:
                raise CommandError("AUDIT_WITNESS is not set: give the witness with --witness")
            if not target.readable:
                raise CommandError(
                    "the witness is syslog, which cannot be read back: give the copy kept by "
                    "the auditor with --witness PATH"
                )
            path = target.path
        if not path.is_file():
            raise CommandError(f"{path}: no such witness file")
        try:
            return witness.witness_read(path)
        except OSError as error:
            raise CommandError(f"{path}: {error}") from error
