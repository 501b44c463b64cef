"""`manage.py keys rotate | verify | retire` on data keys and values sealed under them."""

import base64
import stat
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conferences.management.commands import keys as keys_command
from conferences.models import DataKey
from conferences.privacy.encryption import (
    DataKeyCache,
    data_key_create,
    data_key_destroy,
    field_aad,
    get_keyring,
    keyring_lock,
    keyring_with_new_active_key,
    load_keyring_file,
    seal,
    unseal,
    write_keyring_file,
)

pytestmark = pytest.mark.django_db


@dataclass
class Sealed:
    data_key: DataKey
    aad: bytes
    text: str
    blob: bytes


@pytest.fixture
def sealed():
    """Five data keys with a value sealed under each, and one destroyed data key."""
    values = []
    for n in range(1, 6):
        data_key, aad = data_key_create(), field_aad("conferences.case", "summary", n)
        values.append(
            Sealed(data_key, aad, f"経過その{n}", seal(data_key, f"経過その{n}", aad=aad))
        )
    data_key_destroy(data_key_create())
    return values


def keys(*args) -> str:
    out = StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def keys_fail(*args, match: str) -> str:
    """Run a command that must fail (exit status 1 from manage.py); its output so far."""
    out = StringIO()
    with pytest.raises(CommandError, match=match):
        call_command("keys", *args, stdout=out)
    return out.getvalue()


def all_unseal(values: list[Sealed]) -> bool:
    get_keyring.cache_clear()  # read the keyring as a freshly started process would
    cache = DataKeyCache()
    for value in values:
        value.data_key.refresh_from_db()
        assert unseal(value.data_key, value.blob, aad=value.aad, keys=cache) == value.text
    return True


def kek_ids() -> set[str]:
    return set(DataKey.objects.filter(destroyed_at=None).values_list("kek_id", flat=True))


# --- rotate ------------------------------------------------------------------------------


def test_rotate_rewraps_every_data_key_under_a_new_active_key(sealed, keyring_file):
    before = load_keyring_file(keyring_file)
    out = keys("rotate", "--batch-size", "2")
    after = load_keyring_file(keyring_file)
    assert after.active_id != before.active_id
    assert after.keys == {**before.keys, after.active_id: after.active_key}
    assert kek_ids() == {after.active_id}
    destroyed = DataKey.objects.get(destroyed_at__isnull=False)
    assert destroyed.kek_id == before.active_id and destroyed.wrapped_key is None
    assert all_unseal(sealed)
    assert "[########............] 2/5" in out
    assert "[####################] 5/5" in out
    assert f"Every data key is wrapped by {after.active_id}." in out


def test_rotate_prints_no_key_material(sealed, keyring_file):
    out = keys("rotate")
    for key in load_keyring_file(keyring_file).keys.values():
        assert base64.b64encode(key).decode() not in out and key.hex() not in out


def test_keyring_stays_owner_only_and_no_temporary_file_is_left(sealed, keyring_file):
    old = load_keyring_file(keyring_file).active_id
    keys("rotate")
    assert stat.S_IMODE(keyring_file.stat().st_mode) == 0o600
    keys("retire", old)
    assert stat.S_IMODE(keyring_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in keyring_file.parent.iterdir()) == [
        "keyring.json",
        "keyring.json.lock",
    ]


def test_interrupted_rotation_resumes_without_a_third_key(sealed, keyring_file, monkeypatch):
    real = keys_command.data_keys_rewrap_batch
    batches = []

    def power_cut_after_one_batch(**kwargs):
        if batches:
            raise RuntimeError("power cut")
        batches.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(keys_command, "data_keys_rewrap_batch", power_cut_after_one_batch)
    with pytest.raises(RuntimeError, match="power cut"):
        keys("rotate", "--batch-size", "2")
    monkeypatch.undo()
    rotated = load_keyring_file(keyring_file)
    assert len(rotated.keys) == 2
    assert DataKey.objects.filter(destroyed_at=None, kek_id=rotated.active_id).count() == 2
    assert all_unseal(sealed)  # half way, everything is readable

    keys_fail("rotate", match="rotate --resume")
    assert load_keyring_file(keyring_file) == rotated

    out = keys("rotate", "--resume", "--batch-size", "2")
    assert load_keyring_file(keyring_file) == rotated
    assert kek_ids() == {rotated.active_id}
    assert "Resuming: 3 data keys" in out and "3/3" in out
    assert all_unseal(sealed)


def test_resume_with_nothing_left_changes_nothing(sealed, keyring_file):
    before = load_keyring_file(keyring_file)
    out = keys("rotate", "--resume")
    assert load_keyring_file(keyring_file) == before
    assert "Resuming: 0 data keys" in out


def test_rotate_leaves_an_unreadable_data_key_behind_and_fails(sealed, keyring_file):
    old = load_keyring_file(keyring_file).active_id
    broken = sealed[2].data_key
    DataKey.objects.filter(pk=broken.pk).update(wrapped_key=bytes(61))
    keys_fail("rotate", "--batch-size", "2", match=rf"1 data keys could not .*ids {broken.pk}")
    active = load_keyring_file(keyring_file).active_id
    assert DataKey.objects.get(pk=broken.pk).kek_id == old
    assert kek_ids() == {old, active}
    assert all_unseal(sealed[:2] + sealed[3:])
    keys_fail("retire", old, match="still wrapped")


def test_rotate_refuses_a_batch_size_below_one(sealed):
    keys_fail("rotate", "--batch-size", "0", match="at least 1")


def test_rotate_refuses_while_another_keys_command_holds_the_lock(sealed, keyring_file):
    before = load_keyring_file(keyring_file)
    with keyring_lock(keyring_file):
        keys_fail("rotate", match="another 'keys' command")
    assert load_keyring_file(keyring_file) == before


# --- retire ------------------------------------------------------------------------------


def test_older_key_is_retired_after_rotation_and_everything_still_unseals(sealed, keyring_file):
    old = load_keyring_file(keyring_file).active_id
    keys("rotate")
    out = keys("retire", old)
    keyring = load_keyring_file(keyring_file)
    assert list(keyring.keys) == [keyring.active_id] and old not in keyring.keys
    # The destroyed data key still names the retired KEK: it holds nothing to unwrap.
    assert DataKey.objects.filter(kek_id=old, destroyed_at__isnull=False).exists()
    assert f"Retired {old}" in out
    assert all_unseal(sealed)


def test_retire_refuses_the_active_key(sealed, keyring_file):
    active = load_keyring_file(keyring_file).active_id
    keys_fail("retire", active, match="is the active key")
    assert active in load_keyring_file(keyring_file).keys


def test_retire_refuses_a_key_still_wrapping_data_keys(sealed, keyring_file):
    old = load_keyring_file(keyring_file)
    write_keyring_file(keyring_file, keyring_with_new_active_key(old))  # rotated, not re-wrapped
    keys_fail("retire", old.active_id, match=f"5 data keys are still wrapped by {old.active_id}")
    assert old.active_id in load_keyring_file(keyring_file).keys
    assert all_unseal(sealed)


def test_retire_refuses_an_unknown_key(sealed):
    keys_fail("retire", "k-20200101-000000", match="no key 'k-20200101-000000'")


# --- verify ------------------------------------------------------------------------------


def test_verify_reports_counts_and_succeeds(sealed, keyring_file):
    active = load_keyring_file(keyring_file).active_id
    out = keys("verify")
    assert f"{active} (active): 5 data keys" in out
    assert "Data keys: 5 ok, 1 destroyed, 0 failed" in out
    assert "0 failed" in out.split("Values:")[1]
    assert "Everything decrypts." in out


def test_verify_fails_when_a_wrapped_key_is_corrupted(sealed):
    broken = sealed[0].data_key
    wrapped = bytearray(DataKey.objects.get(pk=broken.pk).wrapped_key)
    wrapped[20] ^= 0xFF
    DataKey.objects.filter(pk=broken.pk).update(wrapped_key=bytes(wrapped))
    out = keys_fail("verify", match="1 data keys and 0 values do not decrypt")
    assert "Data keys: 4 ok, 1 destroyed, 1 failed" in out
    assert f"FAILED data key {broken.pk}: the wrapped key does not authenticate" in out


def test_verify_fails_when_a_data_keys_kek_is_not_in_the_keyring(sealed):
    DataKey.objects.filter(pk=sealed[1].data_key.pk).update(kek_id="k-20200101-gone00")
    out = keys_fail("verify", match="verification failed")
    assert "k-20200101-gone00 (NOT IN THE KEYRING): 1 data keys" in out
    assert "Data keys: 4 ok, 1 destroyed, 1 failed" in out


def test_rotate_and_retire_keep_the_hash_key(keyring_file):
    from conferences.privacy.encryption import get_keyring, load_keyring_file

    before = load_keyring_file(keyring_file).hash_key
    old = load_keyring_file(keyring_file).active_id
    call_command("keys", "rotate", stdout=StringIO())
    call_command("keys", "retire", old, stdout=StringIO())
    get_keyring.cache_clear()
    assert before is not None
    assert load_keyring_file(keyring_file).hash_key == before
