"""Data keys and sealed values: round trips, binding to record and field, failing closed."""

import secrets
from datetime import UTC, datetime

import pytest
import time_machine
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

from conferences.models import DataKey
from conferences.privacy import encryption
from conferences.privacy.encryption import (
    KEY_BYTES,
    DataKeyCache,
    DecryptionError,
    KeyDestroyedError,
    Keyring,
    KeyringError,
    data_key_create,
    data_key_destroy,
    field_aad,
    get_keyring,
    keyring_with_new_active_key,
    load_keyring_file,
    register_encrypted_fields,
    registered_encrypted_fields,
    seal,
    unseal,
    unwrap,
    write_keyring_file,
)

pytestmark = pytest.mark.django_db

TEXT = "本人は30代。父母と同居し、10年ほど外出していない。"
AAD = field_aad("conferences.case", "summary", 42)
HEADER = 1 + 8  # version, data key id
NONCE = 12
TAG = 16


@pytest.fixture
def data_key():
    return data_key_create()


def flip(blob: bytes, index: int) -> bytes:
    return blob[:index] + bytes([blob[index] ^ 0x01]) + blob[index + 1 :]


def rotate_file(path) -> Keyring:
    """A new active key in the file, as `keys rotate` writes it (without re-wrapping)."""
    keyring = keyring_with_new_active_key(load_keyring_file(path))
    write_keyring_file(path, keyring)
    get_keyring.cache_clear()
    return keyring


# --- sealed values -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "a", TEXT, "あ" * 20_000])
def test_sealed_text_round_trips(data_key, text):
    assert unseal(data_key, seal(data_key, text, aad=AAD), aad=AAD) == text


def test_empty_text_seals_to_a_real_blob_distinct_from_null(data_key):
    blob = seal(data_key, "", aad=AAD)
    assert len(blob) == HEADER + NONCE + TAG
    assert unseal(data_key, blob, aad=AAD) == ""


def test_blob_is_version_data_key_id_nonce_and_ciphertext(data_key):
    blob = seal(data_key, TEXT, aad=AAD)
    assert blob[0] == 1
    assert int.from_bytes(blob[1:9], "big") == data_key.pk
    assert len(blob) == HEADER + NONCE + len(TEXT.encode()) + TAG
    assert TEXT.encode() not in blob


def test_same_text_seals_differently_each_time(data_key):
    assert seal(data_key, TEXT, aad=AAD) != seal(data_key, TEXT, aad=AAD)


def test_unseal_accepts_the_memoryview_postgresql_returns(data_key):
    blob = memoryview(seal(data_key, TEXT, aad=AAD))
    assert unseal(data_key, blob, aad=AAD) == TEXT


@pytest.mark.parametrize(
    "other_aad",
    [
        field_aad("conferences.case", "history", 42),  # another field of the same record
        field_aad("conferences.case", "summary", 43),  # the same field of another record
        field_aad("conferences.review", "summary", 42),  # another model
        b"",
    ],
)
def test_value_moved_to_another_field_or_record_does_not_unseal(data_key, other_aad):
    blob = seal(data_key, TEXT, aad=AAD)
    with pytest.raises(DecryptionError, match="does not authenticate"):
        unseal(data_key, blob, aad=other_aad)


def test_value_sealed_under_another_data_key_does_not_unseal(data_key):
    other = data_key_create()
    blob = seal(other, TEXT, aad=AAD)
    with pytest.raises(
        DecryptionError, match=f"sealed under data key {other.pk}, not {data_key.pk}"
    ):
        unseal(data_key, blob, aad=AAD)


def test_value_relabelled_with_another_data_key_id_does_not_unseal(data_key):
    other = data_key_create()
    blob = seal(other, TEXT, aad=AAD)
    forged = blob[:1] + data_key.pk.to_bytes(8, "big") + blob[9:]
    with pytest.raises(DecryptionError, match="does not authenticate"):
        unseal(data_key, forged, aad=AAD)


def test_any_altered_byte_fails_closed(data_key):
    blob = seal(data_key, "経過", aad=AAD)
    for index in range(len(blob)):
        with pytest.raises(DecryptionError):
            unseal(data_key, flip(blob, index), aad=AAD)


@pytest.mark.parametrize("keep", [0, 1, HEADER, HEADER + NONCE, HEADER + NONCE + TAG - 1, -1])
def test_truncated_blob_fails_closed(data_key, keep):
    blob = seal(data_key, TEXT, aad=AAD)
    with pytest.raises(DecryptionError):
        unseal(data_key, blob[:keep], aad=AAD)


def test_other_format_version_fails_closed(data_key):
    blob = seal(data_key, TEXT, aad=AAD)
    with pytest.raises(DecryptionError, match="unsupported sealed value format 2"):
        unseal(data_key, b"\x02" + blob[1:], aad=AAD)


def test_decryption_error_carries_neither_text_nor_ciphertext(data_key):
    blob = seal(data_key, TEXT, aad=AAD)
    with pytest.raises(DecryptionError) as caught:
        unseal(data_key, flip(blob, len(blob) - 1), aad=AAD)
    message = str(caught.value)
    assert TEXT not in message and blob.hex()[:16] not in message
    assert caught.value.__suppress_context__  # no chained exception holding locals


def test_null_is_not_a_sealed_value(data_key):
    with pytest.raises(TypeError):
        unseal(data_key, None, aad=AAD)
    with pytest.raises(TypeError):
        seal(data_key, None, aad=AAD)


def test_field_aad_names_model_field_and_record():
    assert field_aad("conferences.case", "summary", 42) == b"conferences.case|summary|42"


@pytest.mark.parametrize(
    "parts", [("conferences.case", "summary", None), ("conferences.case", "a|b", 1), ("", "x", 1)]
)
def test_field_aad_refuses_unsaved_records_and_ambiguous_parts(parts):
    with pytest.raises(ValueError):
        field_aad(*parts)


# --- data keys ---------------------------------------------------------------------------


def test_wrapped_key_in_database_is_not_the_plaintext_key(data_key):
    stored = DataKey.objects.get(pk=data_key.pk)
    key = unwrap(stored)
    assert len(key) == KEY_BYTES
    assert len(bytes(stored.wrapped_key)) == 1 + NONCE + KEY_BYTES + TAG
    assert key not in bytes(stored.wrapped_key)
    assert stored.kek_id == get_keyring().active_id


def test_every_data_key_is_its_own(data_key):
    assert unwrap(data_key) != unwrap(data_key_create())


def test_altered_wrapped_key_fails_closed(data_key):
    for index in range(len(data_key.wrapped_key)):
        data_key.wrapped_key = flip(bytes(DataKey.objects.get(pk=data_key.pk).wrapped_key), index)
        with pytest.raises(DecryptionError):
            unwrap(data_key)


def test_wrapped_key_is_bound_to_its_kek_id(data_key, keyring_file):
    keyring = load_keyring_file(keyring_file)
    # The same key material under a second id: only the binding to the id tells them apart.
    alias = Keyring(keyring.active_id, {**keyring.keys, "k-alias": keyring.active_key})
    write_keyring_file(keyring_file, alias)
    get_keyring.cache_clear()
    data_key.kek_id = "k-alias"
    with pytest.raises(DecryptionError, match="does not authenticate under 'k-alias'"):
        unwrap(data_key)


def test_data_key_under_a_kek_missing_from_the_keyring_is_a_keyring_error(data_key):
    data_key.kek_id = "k-20200101-gone00"
    with pytest.raises(KeyringError, match=f"data key {data_key.pk}: the keyring has no key"):
        unwrap(data_key)


def test_older_kek_still_unwraps_after_rotation(data_key, keyring_file):
    blob = seal(data_key, TEXT, aad=AAD)
    old_id = data_key.kek_id
    rotated = rotate_file(keyring_file)
    assert rotated.active_id != old_id
    assert unseal(data_key, blob, aad=AAD) == TEXT
    assert data_key_create().kek_id == rotated.active_id


def test_new_data_keys_use_the_active_kek_on_disk_despite_a_stale_cache(keyring_file):
    stale = get_keyring()
    rotated = keyring_with_new_active_key(stale)
    write_keyring_file(keyring_file, rotated)  # as `keys rotate` in another process would
    assert data_key_create().kek_id == rotated.active_id


def test_unwrap_rereads_the_keyring_for_a_kek_it_has_not_seen(keyring_file):
    stale = get_keyring()
    rotated = keyring_with_new_active_key(stale)
    write_keyring_file(keyring_file, rotated)  # another process rotated and wrapped a key
    wrapped = encryption._wrap(rotated, secrets.token_bytes(KEY_BYTES))
    data_key = DataKey.objects.create(wrapped_key=wrapped, kek_id=rotated.active_id)
    assert get_keyring() == stale
    assert len(unwrap(data_key)) == KEY_BYTES


def test_destroyed_data_key_refuses_to_unwrap_or_unseal(data_key):
    blob = seal(data_key, TEXT, aad=AAD)
    data_key_destroy(data_key)
    stored = DataKey.objects.get(pk=data_key.pk)
    assert stored.wrapped_key is None and stored.destroyed_at is not None
    with pytest.raises(KeyDestroyedError):
        unwrap(stored)
    with pytest.raises(KeyDestroyedError):
        unseal(stored, blob, aad=AAD)
    with pytest.raises(KeyDestroyedError):
        seal(stored, TEXT, aad=AAD)


def test_destroyed_data_key_is_unrecoverable_with_every_kek(data_key, keyring_file):
    blob = seal(data_key, TEXT, aad=AAD)
    rotate_file(keyring_file)  # an older and a newer KEK
    data_key_destroy(data_key)
    stored = DataKey.objects.get(pk=data_key.pk)
    header, nonce, sealed = blob[:HEADER], blob[HEADER : HEADER + NONCE], blob[HEADER + NONCE :]
    keyring = load_keyring_file(keyring_file)
    assert len(keyring.keys) == 2
    for kek_id, kek in keyring.keys.items():
        relabelled = DataKey(pk=stored.pk, kek_id=kek_id, wrapped_key=stored.wrapped_key)
        with pytest.raises(KeyDestroyedError):
            unwrap(relabelled)
        with pytest.raises(InvalidTag):  # the value was never sealed under a KEK itself
            AESGCM(kek).decrypt(nonce, sealed, header + AAD)


def test_destroy_is_idempotent_and_keeps_the_first_time(data_key):
    first = datetime(2027, 3, 31, 9, 0, tzinfo=UTC)
    with time_machine.travel(first, tick=False):
        data_key_destroy(data_key)
    with time_machine.travel(datetime(2028, 1, 1, tzinfo=UTC), tick=False):
        data_key_destroy(DataKey.objects.get(pk=data_key.pk))
    assert data_key.destroyed_at == first
    assert DataKey.objects.get(pk=data_key.pk).destroyed_at == first


def test_destroy_erases_the_key_of_a_stale_instance_too(data_key):
    stale = DataKey.objects.get(pk=data_key.pk)
    data_key_destroy(data_key)
    data_key_destroy(stale)
    assert stale.wrapped_key is None and stale.destroyed_at == data_key.destroyed_at


# --- the per-request cache ---------------------------------------------------------------


def test_cache_unwraps_each_data_key_once(data_key, monkeypatch):
    calls = []
    real = encryption.unwrap
    monkeypatch.setattr(encryption, "unwrap", lambda key: calls.append(key.pk) or real(key))
    keys = DataKeyCache()
    blobs = [seal(data_key, TEXT, aad=field_aad("x.y", f, 1), keys=keys) for f in "abc"]
    for f, blob in zip("abc", blobs, strict=True):
        assert unseal(data_key, blob, aad=field_aad("x.y", f, 1), keys=keys) == TEXT
    assert calls == [data_key.pk]


def test_cache_refuses_a_destroyed_key_it_already_holds(data_key):
    keys = DataKeyCache()
    blob = seal(data_key, TEXT, aad=AAD, keys=keys)
    data_key_destroy(data_key)
    with pytest.raises(KeyDestroyedError):
        unseal(data_key, blob, aad=AAD, keys=keys)


def test_reprs_show_no_key_material(data_key):
    keys = DataKeyCache()
    key = keys.key_for(data_key)
    keyring = get_keyring()
    assert key.hex() not in repr(keys) and repr(key) not in repr(keys)
    assert repr(keyring.active_key) not in repr(keyring)


# --- the registry ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "data_key_field", "message"),
    [
        (["kek_id"], "kek_id", "not nullable BinaryFields"),
        ([], "kek_id", "not nullable BinaryFields"),
        (["wrapped_key"], "kek_id", "not a foreign key to DataKey"),
        (["no_such_field"], "kek_id", "no field named"),
    ],
)
def test_register_refuses_what_cannot_hold_sealed_values(fields, data_key_field, message):
    before = registered_encrypted_fields()
    with pytest.raises(ImproperlyConfigured, match=message):
        register_encrypted_fields(DataKey, fields, data_key_field=data_key_field)
    assert registered_encrypted_fields() == before
