"""`manage.py keys`: the keyring's life, from creation to retiring old keys.

    keys init [--path P]          write a new keyring (0600); never overwrites one
    keys rotate [--batch-size N]  add a new active KEK, then re-wrap every data key under it
    keys rotate --resume          finish an interrupted rotation (no new key)
    keys verify                   unwrap every data key, unseal every registered value
    keys retire KID               remove an older KEK that no data key needs any more

Output names key ids, data key ids and counts, never key material or text. Every command
that changes the keyring holds `keyring_lock`, so two of them never interleave.
"""

import dataclasses
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from conferences.models import DataKey
from conferences.privacy.encryption import (
    DataKeyCache,
    DecryptionError,
    KeyDestroyedError,
    KeyringError,
    create_keyring_file,
    data_keys_rewrap_batch,
    get_keyring,
    is_destroyed,
    keyring_lock,
    keyring_with_new_active_key,
    live_data_keys,
    load_keyring_file,
    registered_encrypted_fields,
    unseal,
    unwrap,
    write_keyring_file,
)

BAR_WIDTH = 20
LISTED = 20  # failures named in the output; the counts cover all of them


class Command(BaseCommand):
    help = "Manage the encryption keyring: init, rotate, verify, retire."
    # The keyring check would refuse to run before the keyring exists, which is init's job,
    # and must not stop verify from reporting what is wrong with it.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="write a new keyring (mode 0600); refuses to overwrite")
        init.add_argument("--path", help="where to write it (default: KEYRING_FILE)")
        rotate = sub.add_parser("rotate", help="new active key; re-wrap every data key under it")
        rotate.add_argument("--batch-size", type=int, default=500, help="data keys per transaction")
        rotate.add_argument(
            "--resume", action="store_true", help="finish an interrupted rotation (no new key)"
        )
        sub.add_parser("verify", help="check that every data key and sealed value decrypts")
        retire = sub.add_parser("retire", help="remove an older key that no data key uses")
        retire.add_argument("kid", help="the id of the key to remove")

    def handle(self, *args, action, **options):
        try:
            if action == "init":
                self.init(Path(options.get("path") or settings.KEYRING_FILE))
            elif action == "rotate":
                if options["batch_size"] < 1:
                    raise CommandError("--batch-size must be at least 1")
                self.rotate(batch_size=options["batch_size"], resume=options["resume"])
            elif action == "verify":
                self.verify()
            elif action == "retire":
                self.retire(options["kid"])
        except KeyringError as error:
            raise CommandError(str(error)) from None

    def init(self, path: Path):
        keyring = create_keyring_file(path)
        self.stdout.write(
            self.style.SUCCESS(f"Created keyring {path} with active key {keyring.active_id}.")
        )
        self.stdout.write("Back it up now and keep it out of the database and its backups.")

    def rotate(self, *, batch_size: int, resume: bool):
        """Without --resume: refuse if data keys are still behind (an unfinished rotation),
        else write a keyring with a new active key first, so that every re-wrapped data key
        is readable from then on; then re-wrap, batch by batch. With --resume: re-wrap only."""
        path = Path(settings.KEYRING_FILE)
        with keyring_lock(path):
            keyring = load_keyring_file(path)
            behind = live_data_keys().exclude(kek_id=keyring.active_id).count()
            if resume:
                self.stdout.write(
                    f"Resuming: {behind} data keys to re-wrap under {keyring.active_id}."
                )
            elif behind:
                raise CommandError(
                    f"{behind} data keys are still wrapped by older keys: an earlier rotation "
                    "did not finish. Run 'keys rotate --resume' first."
                )
            else:
                previous = keyring.active_id
                keyring = keyring_with_new_active_key(keyring)
                write_keyring_file(path, keyring)
                behind = live_data_keys().exclude(kek_id=keyring.active_id).count()
                self.stdout.write(
                    f"New active key {keyring.active_id} (was {previous}); the older keys stay "
                    "as fallbacks. Back up the keyring now."
                )
            get_keyring.cache_clear()  # the batches must wrap with the file as it is now
            failed = self.rewrap_all(total=behind, batch_size=batch_size)
        if failed:
            raise CommandError(
                f"{len(failed)} data keys could not be unwrapped and stay under their old key "
                f"(ids {self.some(failed)}); run 'keys verify'."
            )
        older = [kid for kid in keyring.keys if kid != keyring.active_id]
        self.stdout.write(self.style.SUCCESS(f"Every data key is wrapped by {keyring.active_id}."))
        if older:
            self.stdout.write(
                f"Older keys kept as fallbacks: {', '.join(older)}. 'keys retire KID' removes "
                "one; database backups from before this rotation then cannot be read with "
                "this keyring."
            )

    def rewrap_all(self, *, total: int, batch_size: int) -> list[int]:
        done, after, failed = 0, 0, []
        self.progress(done, total)
        # Keyset pagination: a key that fails stays behind and must not be fetched again.
        while True:
            batch = data_keys_rewrap_batch(after_pk=after, batch_size=batch_size)
            if batch.last_pk is None:
                break
            after = batch.last_pk
            done += batch.rewrapped + len(batch.failed)
            failed.extend(batch.failed)
            self.progress(done, max(total, done))  # keys made meanwhile by older processes
        if self.stdout.isatty():
            self.stdout.write("")
        return failed

    def progress(self, done: int, total: int):
        filled = BAR_WIDTH if total == 0 else BAR_WIDTH * done // total
        bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"
        if self.stdout.isatty():
            self.stdout.write(f"\r{bar}", ending="")
        else:
            self.stdout.write(bar)

    def verify(self):
        """Unwrap every live data key and unseal every non-null registered value; report counts
        and the first failures; CommandError (exit status 1) if anything failed."""
        get_keyring.cache_clear()
        keyring = get_keyring()
        in_use = dict(live_data_keys().values_list("kek_id").annotate(n=Count("pk")).order_by())
        self.stdout.write(f"Keyring: {len(keyring.keys)} keys, active {keyring.active_id}")
        for kid in sorted(keyring.keys.keys() | in_use.keys()):
            note = " (active)" if kid == keyring.active_id else ""
            if kid not in keyring.keys:
                note = " (NOT IN THE KEYRING)"
            self.stdout.write(f"  {kid}{note}: {in_use.get(kid, 0)} data keys")

        keys_ok, keys_destroyed, key_failures = 0, 0, []
        for data_key in DataKey.objects.order_by("pk").iterator(chunk_size=1000):
            if is_destroyed(data_key):
                keys_destroyed += 1
                continue
            try:
                unwrap(data_key)
                keys_ok += 1
            except (DecryptionError, KeyringError) as error:
                key_failures.append(str(error))
        self.stdout.write(
            f"Data keys: {keys_ok} ok, {keys_destroyed} destroyed, {len(key_failures)} failed"
        )

        values_ok, values_destroyed, value_failures = 0, 0, []
        for entry in registered_encrypted_fields():
            rows = entry.model._base_manager.select_related(entry.data_key_field).order_by("pk")
            label = entry.model._meta.label_lower
            for row in rows.iterator(chunk_size=500):
                data_key, keys = entry.data_key_of(row), DataKeyCache()
                for name in entry.fields:
                    blob = getattr(row, name)
                    if blob is None:
                        continue
                    try:
                        if data_key is None:
                            raise DecryptionError("a sealed value without a data key")
                        unseal(data_key, blob, aad=entry.aad(name, row.pk), keys=keys)
                        values_ok += 1
                    except KeyDestroyedError:
                        values_destroyed += 1
                    except (DecryptionError, KeyringError) as error:
                        value_failures.append(f"{label} {row.pk} {name}: {error}")
        self.stdout.write(
            f"Values: {values_ok} ok, {values_destroyed} under destroyed keys, "
            f"{len(value_failures)} failed"
        )

        failures = key_failures + value_failures
        for failure in failures[:LISTED]:
            self.stdout.write(f"  FAILED {failure}")
        if failures:
            raise CommandError(
                f"verification failed: {len(key_failures)} data keys and "
                f"{len(value_failures)} values do not decrypt"
            )
        self.stdout.write(self.style.SUCCESS("Everything decrypts."))

    def retire(self, kid: str):
        """Remove `kid` from the keyring, only if it is not the active key and no live data
        key is wrapped by it (destroyed ones hold nothing to unwrap)."""
        path = Path(settings.KEYRING_FILE)
        with keyring_lock(path):
            keyring = load_keyring_file(path)
            if kid not in keyring.keys:
                raise CommandError(f"the keyring has no key {kid!r}")
            if kid == keyring.active_id:
                raise CommandError(f"{kid} is the active key; run 'keys rotate' first")
            in_use = live_data_keys().filter(kek_id=kid).count()
            if in_use:
                raise CommandError(
                    f"{in_use} data keys are still wrapped by {kid}; "
                    "run 'keys rotate --resume' first"
                )
            kept = {other: key for other, key in keyring.keys.items() if other != kid}
            write_keyring_file(path, dataclasses.replace(keyring, keys=kept))
            get_keyring.cache_clear()
        self.stdout.write(
            self.style.SUCCESS(
                f"Retired {kid}; the keyring keeps {len(kept)} keys, active {keyring.active_id}."
            )
        )
        self.stdout.write("Older copies of the keyring still hold it: replace its backups.")

    @staticmethod
    def some(ids: list[int]) -> str:
        listed = ", ".join(map(str, ids[:LISTED]))
        return listed + (", ..." if len(ids) > LISTED else "")
