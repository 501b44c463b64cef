"""Field encryption: the keyring of key-encryption keys (KEKs), data keys, sealed values.

* **Keyring**: a JSON file named by `KEYRING_FILE`, outside the database,
  `{"format": 1, "active": "k-20261121-3f2a", "keys": {"k-20261121-3f2a": "<base64>"}}`.
  Read lazily (never at import). With DJANGO_DEBUG on a missing keyring is created; in
  production it must exist (`manage.py keys init`). Older keys stay as fallbacks, so rotation
  (`keys rotate`) never makes data unreadable; `keys retire` removes one no data key needs.
* **Data key** (`DataKey`, one per case): a random 256-bit key stored only wrapped, by AES-GCM
  under the KEK `kek_id` and bound to that id: version (1 byte) + nonce (12) + sealed key and
  tag (48). Destroying it erases the wrapped key; no keyring can then recover its values.
* **Sealed value** (a nullable BinaryField): text under AES-GCM with a data key,
  `version (1 byte, =1) | data key id (8, big-endian) | nonce (12) | ciphertext + tag (16)`,
  with the version, the data key id and the caller's `aad` (`field_aad`) as associated
  data, so a value moved to another record, field or key fails. Decryption fails closed:
  `DecryptionError`, never ciphertext or part of the text.

Plaintext keys live only in locals and in a `DataKeyCache` made per request or command run,
never in a module global; functions holding key material are `sensitive_variables`, so
Django's error reports do not show them.
"""

import base64
import binascii
import fcntl
import json
import os
import secrets
import struct
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models, transaction
from django.views.decorators.debug import sensitive_variables

from conferences.models import DataKey
from config.clock import now

KEYRING_FORMAT = 1
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
TAG_BYTES = 16
WRAP_VERSION = 1
SEAL_VERSION = 1
_WRAPPED_BYTES = 1 + NONCE_BYTES + KEY_BYTES + TAG_BYTES
_SEAL_HEADER = struct.Struct(">BQ")  # format version, data key id
_SEAL_MIN_BYTES = _SEAL_HEADER.size + NONCE_BYTES + TAG_BYTES


class KeyringError(Exception):
    """The keyring is missing, unreadable, malformed, or lacks a needed key."""


class DecryptionError(Exception):
    """A wrapped key or sealed value is malformed or does not authenticate. Its message never
    carries ciphertext or plaintext."""


class KeyDestroyedError(Exception):
    """The data key was destroyed: whatever was sealed under it is gone for good."""


# --- the keyring -------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyring:
    active_id: str
    keys: dict[str, bytes] = field(repr=False)  # never in a log line or a test failure
    # A separate, long-lived secret for keyed hashes (forbidden terms): unlike the KEKs it
    # never rotates, since every stored hash would otherwise stop matching.
    hash_key: bytes | None = field(default=None, repr=False)

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
        hash_key = doc.get("hash_key")
        hash_key = base64.b64decode(hash_key, validate=True) if hash_key is not None else None
    except KeyringError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
        raise KeyringError(f"the keyring is malformed: {error}") from None
    if active not in keys:
        raise KeyringError("the keyring's active key id is not among its keys")
    bad = [kid for kid, key in keys.items() if len(key) != KEY_BYTES]
    if hash_key is not None and len(hash_key) != KEY_BYTES:
        bad.append("hash_key")
    if bad:
        raise KeyringError(f"keys of the wrong length: {', '.join(bad)}")
    return Keyring(active_id=active, keys=keys, hash_key=hash_key)


def serialize_keyring(keyring: Keyring) -> str:
    document = {
        "format": KEYRING_FORMAT,
        "active": keyring.active_id,
        "keys": {kid: base64.b64encode(key).decode() for kid, key in keyring.keys.items()},
    }
    if keyring.hash_key is not None:
        document["hash_key"] = base64.b64encode(keyring.hash_key).decode()
    return json.dumps(document, indent=2)


def create_keyring_file(path: Path) -> Keyring:
    """Write a new keyring with one fresh key at `path`, readable by its owner only (0600).

    Refuses (KeyringError) if anything already exists there: overwriting a keyring would
    make everything encrypted under it unrecoverable.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key_id = new_key_id()
    keyring = Keyring(
        active_id=key_id,
        keys={key_id: secrets.token_bytes(KEY_BYTES)},
        hash_key=secrets.token_bytes(KEY_BYTES),
    )
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


def write_keyring_file(path: Path, keyring: Keyring) -> None:
    """Replace the keyring at `path` atomically and durably: readers see the old file or the
    new one (0600), never part of one, and the rename survives a crash. Hold
    `keyring_lock(path)` around the read-modify-write, or a concurrent change may be lost."""
    path = Path(path)
    document = serialize_keyring(keyring)
    parse_keyring(document)  # never write what could not be read back
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(document)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextmanager
def keyring_lock(path: Path):
    """An exclusive lock (a `.lock` file beside the keyring) for changing it; KeyringError at
    once if another process holds it. A crashed holder's lock is released by the OS."""
    path = Path(path)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KeyringError("another 'keys' command is changing the keyring") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def keyring_with_new_active_key(keyring: Keyring) -> Keyring:
    """`keyring` plus a fresh key that becomes the active one; the older keys stay."""
    key_id = new_key_id()
    while key_id in keyring.keys:
        key_id = new_key_id()
    return Keyring(
        active_id=key_id,
        keys={**keyring.keys, key_id: secrets.token_bytes(KEY_BYTES)},
        # Hashes made with the hash key must keep matching; an older keyring gains one here.
        hash_key=keyring.hash_key or secrets.token_bytes(KEY_BYTES),
    )


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


@sensitive_variables()
def derived_key(purpose: str) -> bytes:
    """A 256-bit key for `purpose` (e.g. "forbidden-terms:3"), derived with HKDF-SHA256 from
    the keyring's hash key. Stable across KEK rotations. Raises KeyringError when the
    keyring has no hash key (one written before hash keys existed: see the README)."""
    hash_key = get_keyring().hash_key
    if hash_key is None:
        raise KeyringError("the keyring has no hash_key; 'manage.py keys rotate' adds one")
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode()
    ).derive(hash_key)


def _keyring_as_on_disk() -> Keyring:
    # New data keys must be wrapped by the KEK that is active now, not one `keys rotate`
    # superseded while this process kept its cached copy: `keys retire` may remove that one.
    cached = get_keyring()
    current = load_keyring_file(Path(settings.KEYRING_FILE))
    if current != cached:
        get_keyring.cache_clear()
    return current


@sensitive_variables()
def _kek(data_key: DataKey) -> bytes:
    kek_id = data_key.kek_id
    keyring = get_keyring()
    if kek_id not in keyring.keys:
        # Another process may have rotated since this one cached the keyring: read it again.
        get_keyring.cache_clear()
        keyring = get_keyring()
    try:
        return keyring.keys[kek_id]
    except KeyError:
        raise KeyringError(f"data key {data_key.pk}: the keyring has no key {kek_id!r}") from None


# --- data keys ---------------------------------------------------------------------------


def is_destroyed(data_key: DataKey) -> bool:
    return data_key.destroyed_at is not None or data_key.wrapped_key is None


def live_data_keys():
    """Data keys that still hold a wrapped key (not destroyed)."""
    return DataKey.objects.filter(destroyed_at__isnull=True, wrapped_key__isnull=False)


def _wrap_aad(kek_id: str) -> bytes:
    return bytes([WRAP_VERSION]) + b"|renkei.data-key|" + kek_id.encode()


@sensitive_variables()
def _wrap(keyring: Keyring, key: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(keyring.active_key).encrypt(nonce, key, _wrap_aad(keyring.active_id))
    return bytes([WRAP_VERSION]) + nonce + sealed


@sensitive_variables()
def data_key_create() -> DataKey:
    """Save a fresh random data key wrapped by the active KEK (as the keyring file has it now).
    The plaintext key is neither stored nor returned. KeyringError without a keyring."""
    keyring = _keyring_as_on_disk()
    wrapped = _wrap(keyring, secrets.token_bytes(KEY_BYTES))
    return DataKey.objects.create(wrapped_key=wrapped, kek_id=keyring.active_id)


@sensitive_variables()
def unwrap(data_key: DataKey) -> bytes:
    """The plaintext data key, unwrapped with the KEK named `kek_id` (active or fallback),
    judged on the instance as loaded. Raises KeyDestroyedError if destroyed, KeyringError if
    the keyring lacks the KEK, DecryptionError if the wrapped key fails to authenticate."""
    if is_destroyed(data_key):
        raise KeyDestroyedError(f"data key {data_key.pk} was destroyed")
    wrapped = bytes(data_key.wrapped_key)  # PostgreSQL hands back a memoryview
    kek = _kek(data_key)
    if len(wrapped) != _WRAPPED_BYTES or wrapped[0] != WRAP_VERSION:
        raise DecryptionError(f"data key {data_key.pk}: the wrapped key is malformed")
    nonce, sealed = wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]
    try:
        return AESGCM(kek).decrypt(nonce, sealed, _wrap_aad(data_key.kek_id))
    except InvalidTag:
        raise DecryptionError(
            f"data key {data_key.pk}: the wrapped key does not authenticate under "
            f"{data_key.kek_id!r}"
        ) from None


def data_key_destroy(data_key: DataKey) -> DataKey:
    """Erase the wrapped key and set `destroyed_at`, under a row lock; the instance is updated
    too. Idempotent (the first `destroyed_at` stays). Copies in database backups stay
    readable until their KEK is retired (`keys rotate`, then `keys retire`)."""
    with transaction.atomic():
        locked = DataKey.objects.select_for_update().get(pk=data_key.pk)
        if locked.wrapped_key is not None or locked.destroyed_at is None:
            locked.wrapped_key = None
            locked.destroyed_at = locked.destroyed_at or now()
            locked.save(update_fields=["wrapped_key", "destroyed_at"])
    data_key.wrapped_key, data_key.destroyed_at = None, locked.destroyed_at
    return data_key


@dataclass(frozen=True)
class RewrapBatch:
    last_pk: int | None  # None: no data key was left to look at
    rewrapped: int
    failed: tuple[int, ...]  # ids of data keys that could not be unwrapped; left as they were


@sensitive_variables()
def data_keys_rewrap_batch(*, after_pk: int = 0, batch_size: int = 500) -> RewrapBatch:
    """Re-wrap under the active KEK up to `batch_size` live data keys (pk > `after_pk`, in pk
    order) wrapped by another KEK, in one transaction with the rows locked. One that fails
    to unwrap is left as it is and reported in `failed`; the rest are still re-wrapped."""
    keyring = get_keyring()
    with transaction.atomic():
        rows = list(
            live_data_keys()
            # Wait for rows locked elsewhere (data_key_destroy): skipping would leave them behind.
            .select_for_update(skip_locked=False)
            .exclude(kek_id=keyring.active_id)
            .filter(pk__gt=after_pk)
            .order_by("pk")[:batch_size]
        )
        rewrapped, failed = [], []
        for row in rows:
            try:
                key = unwrap(row)
            except (DecryptionError, KeyringError):
                failed.append(row.pk)
                continue
            row.wrapped_key, row.kek_id = _wrap(keyring, key), keyring.active_id
            rewrapped.append(row)
        DataKey.objects.bulk_update(rewrapped, ["wrapped_key", "kek_id"])
    return RewrapBatch(rows[-1].pk if rows else None, len(rewrapped), tuple(failed))


class DataKeyCache:
    """Unwrapped data keys for one request or command run, never longer: pass it as `keys=` to
    `seal`/`unseal` so several fields cost one unwrap, then let it go. Never keep one in a
    module global. A destroyed data key is refused even if cached."""

    def __init__(self):
        self._keys: dict[int, bytes] = {}

    def __repr__(self):
        return f"<DataKeyCache of {len(self._keys)} keys>"

    @sensitive_variables()
    def key_for(self, data_key: DataKey) -> bytes:
        if is_destroyed(data_key):
            raise KeyDestroyedError(f"data key {data_key.pk} was destroyed")
        if data_key.pk not in self._keys:
            self._keys[data_key.pk] = unwrap(data_key)
        return self._keys[data_key.pk]


# --- sealed values -----------------------------------------------------------------------


def field_aad(model_label: str, field: str, pk) -> bytes:
    """Associated data binding a value to one record's field (model label: `label_lower`):
    `field_aad("conferences.case", "summary", 42) == b"conferences.case|summary|42"`.
    ValueError for an unsaved record (pk None) or a part that is empty or contains '|'."""
    if pk is None:
        raise ValueError("a sealed value is bound to a saved record: save the row first")
    parts = [str(model_label), str(field), str(pk)]
    if any(not part or "|" in part for part in parts):
        raise ValueError(f"field_aad parts must be non-empty and free of '|': {parts!r}")
    return "|".join(parts).encode()


def _data_key_id(data_key: DataKey) -> int:
    if data_key.pk is None or not 0 < data_key.pk < 2**64:
        raise ValueError("seal and unseal need a saved data key")
    return data_key.pk


@sensitive_variables()
def seal(
    data_key: DataKey, plaintext: str, *, aad: bytes, keys: DataKeyCache | None = None
) -> bytes:
    """Encrypt `plaintext` under `data_key`, bound to `aad`, with a fresh random nonce. "" seals
    to a real blob (store NULL for no value). TypeError for non-text; KeyDestroyedError,
    KeyringError or DecryptionError if the data key is unusable."""
    if not isinstance(plaintext, str) or not isinstance(aad, bytes):
        raise TypeError("seal() takes text and bytes aad; store NULL for no value")
    key = (keys if keys is not None else DataKeyCache()).key_for(data_key)
    header = _SEAL_HEADER.pack(SEAL_VERSION, _data_key_id(data_key))
    nonce = secrets.token_bytes(NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), header + aad)


@sensitive_variables()
def unseal(data_key: DataKey, blob: bytes, *, aad: bytes, keys: DataKeyCache | None = None) -> str:
    """The whole text sealed with this data key and `aad`, or DecryptionError (truncated,
    other version, other data key, altered, other record or field). KeyDestroyedError or
    KeyringError if the data key is unusable; TypeError for None (check NULL first)."""
    if not isinstance(blob, bytes | bytearray | memoryview) or not isinstance(aad, bytes):
        raise TypeError("unseal() takes a sealed blob and bytes aad; a NULL field is no value")
    blob = bytes(blob)
    if len(blob) < _SEAL_MIN_BYTES:
        raise DecryptionError("the sealed value is truncated")
    version, key_id = _SEAL_HEADER.unpack_from(blob)
    if version != SEAL_VERSION:
        raise DecryptionError(f"unsupported sealed value format {version}")
    if key_id != _data_key_id(data_key):
        raise DecryptionError(f"the value was sealed under data key {key_id}, not {data_key.pk}")
    key = (keys if keys is not None else DataKeyCache()).key_for(data_key)
    header, rest = blob[: _SEAL_HEADER.size], blob[_SEAL_HEADER.size :]
    try:
        text = AESGCM(key).decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], header + aad)
        return text.decode()
    except (InvalidTag, UnicodeDecodeError):
        raise DecryptionError(
            f"a value sealed under data key {key_id} does not authenticate: altered, "
            "truncated, or moved from another record or field"
        ) from None


# --- the registry of encrypted fields ----------------------------------------------------


@dataclass(frozen=True)
class EncryptedFields:
    """Fields of `model` (nullable BinaryFields) holding values sealed under the DataKey that
    `data_key_field` leads to, each bound with `field_aad`. The path is a foreign key to
    DataKey (`"data_key"`), or foreign keys to another record first (`"minutes__data_key"`:
    a revision is sealed under its minutes' key)."""

    model: type[models.Model]
    fields: tuple[str, ...]
    data_key_field: str

    def aad(self, field: str, pk) -> bytes:
        return field_aad(self.model._meta.label_lower, field, pk)

    def data_key_of(self, row) -> DataKey | None:
        """The data key the row's values are sealed under (None when there is none)."""
        target = row
        for name in self.data_key_field.split("__"):
            target = getattr(target, name)
            if target is None:
                return None
        return target


_registry: dict[type[models.Model], EncryptedFields] = {}  # field names only, no secrets


def _path_to_data_key(model: type[models.Model], path: str) -> None:
    """ImproperlyConfigured unless `path` is a chain of foreign keys ending at DataKey."""
    current = model
    names = path.split("__")
    for index, name in enumerate(names):
        try:
            link = current._meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ImproperlyConfigured(f"{model._meta.label}: {error}") from None
        last = index == len(names) - 1
        if not isinstance(link, models.ForeignKey) or last != (link.related_model is DataKey):
            raise ImproperlyConfigured(
                f"{model._meta.label}.{path} is not a foreign key to DataKey"
                + ("" if last else " (through foreign keys)")
            )
        current = link.related_model


def register_encrypted_fields(
    model: type[models.Model], fields: list[str], *, data_key_field: str
) -> EncryptedFields:
    """Declare `model`'s sealed fields (for the sealing module and `keys verify`); call from
    AppConfig.ready(). One entry per model: the same again is harmless; ImproperlyConfigured
    for a different one, a field not a nullable BinaryField, or a `data_key_field` that is
    not a chain of foreign keys (or one-to-ones) ending at DataKey."""
    opts = model._meta
    try:
        columns = [opts.get_field(name) for name in fields]
    except FieldDoesNotExist as error:
        raise ImproperlyConfigured(f"{opts.label}: {error}") from None
    bad = [f.name for f in columns if not (isinstance(f, models.BinaryField) and f.null)]
    if bad or not columns:
        raise ImproperlyConfigured(f"{opts.label}: not nullable BinaryFields: {bad or 'none'}")
    _path_to_data_key(model, data_key_field)
    entry = EncryptedFields(model, tuple(fields), data_key_field)
    if _registry.setdefault(model, entry) != entry:
        raise ImproperlyConfigured(f"{opts.label} is already registered with other fields")
    return entry


def registered_encrypted_fields() -> tuple[EncryptedFields, ...]:
    return tuple(_registry.values())


def encrypted_fields_of(model: type[models.Model]) -> EncryptedFields:
    """The registry's entry for `model` (KeyError for a model with no sealed fields)."""
    return _registry[model]
