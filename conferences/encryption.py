"""The keyring of key-encryption keys, kept outside the database.

The keyring is a JSON file named by `KEYRING_FILE`:

    {"format": 1, "active": "k-20261121-3f2a", "keys": {"k-20261121-3f2a": "<base64, 32 bytes>"}}

Keys are read lazily (first use, never at import). In local development (DJANGO_DEBUG on)
a missing keyring is created with a fresh key; in production it must exist already
(`manage.py keys init`) and is never created behind the operator's back. Older keys stay in
the file as fallbacks so that key rotation never makes stored data unreadable.
"""

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings

KEYRING_FORMAT = 1
KEY_BYTES = 32  # AES-256


class KeyringError(Exception):
    """The keyring is missing, unreadable or malformed. Nothing is decrypted without it."""


@dataclass(frozen=True)
class Keyring:
    active_id: str
    keys: dict[str, bytes]

    @property
    def active_key(self) -> bytes:
        return self.keys[self.active_id]


def new_key_id() -> str:
    return f"k-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"


def parse_keyring(raw: str) -> Keyring:
    """Parse and check a keyring document; raises KeyringError with the reason."""
    try:
        doc = json.loads(raw)
        if doc.get("format") != KEYRING_FORMAT:
            raise KeyringError(f"unsupported keyring format {doc.get('format')!r}")
        keys = {kid: base64.b64decode(value, validate=True) for kid, value in doc["keys"].items()}
        active = doc["active"]
    except KeyringError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
        raise KeyringError(f"the keyring is malformed: {error}") from None
    if active not in keys:
        raise KeyringError("the keyring's active key id is not among its keys")
    bad = [kid for kid, key in keys.items() if len(key) != KEY_BYTES]
    if bad:
        raise KeyringError(f"keys of the wrong length: {', '.join(bad)}")
    return Keyring(active_id=active, keys=keys)


def serialize_keyring(keyring: Keyring) -> str:
    return json.dumps(
        {
            "format": KEYRING_FORMAT,
            "active": keyring.active_id,
            "keys": {kid: base64.b64encode(key).decode() for kid, key in keyring.keys.items()},
        },
        indent=2,
    )


def create_keyring_file(path: Path) -> Keyring:
    """Write a new keyring with one fresh key at `path`, readable by its owner only (0600).

    Refuses (KeyringError) if anything already exists there: overwriting a keyring would
    make everything encrypted under it unrecoverable.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key_id = new_key_id()
    keyring = Keyring(active_id=key_id, keys={key_id: secrets.token_bytes(KEY_BYTES)})
    try:
        # O_EXCL: never replace an existing file, even one created a moment ago.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyringError(f"{path} already exists; refusing to overwrite a keyring") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(serialize_keyring(keyring))
    return keyring


def load_keyring_file(path: Path) -> Keyring:
    try:
        raw = Path(path).read_text()
    except OSError as error:
        raise KeyringError(f"cannot read the keyring at {path}: {error.strerror}") from None
    return parse_keyring(raw)


@lru_cache(maxsize=1)
def get_keyring() -> Keyring:
    """The process's keyring, read on first use. Creates a development keyring only when
    DJANGO_DEBUG is on and none exists yet."""
    path = Path(settings.KEYRING_FILE)
    if settings.DEBUG and not path.exists():
        try:
            return create_keyring_file(path)
        except KeyringError:
            pass  # another process created it first: read theirs
    return load_keyring_file(path)
