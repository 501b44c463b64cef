import base64
import json

import pytest

from conferences.privacy.encryption import (
    KEY_BYTES,
    KeyringError,
    create_keyring_file,
    load_keyring_file,
    parse_keyring,
)


def keyring_doc(active: str, keys: dict[str, bytes | str], fmt: int = 1) -> str:
    encoded = {
        k: v if isinstance(v, str) else base64.b64encode(v).decode() for k, v in keys.items()
    }
    return json.dumps({"format": fmt, "active": active, "keys": encoded})


def test_new_keyring_has_one_active_256_bit_key(tmp_path):
    keyring = create_keyring_file(tmp_path / "k.json")
    assert list(keyring.keys) == [keyring.active_id]
    assert len(keyring.active_key) == KEY_BYTES
    assert load_keyring_file(tmp_path / "k.json") == keyring


def test_two_new_keyrings_never_share_a_key(tmp_path):
    one = create_keyring_file(tmp_path / "a.json")
    two = create_keyring_file(tmp_path / "b.json")
    assert one.active_key != two.active_key


def test_create_refuses_to_overwrite(tmp_path):
    path = tmp_path / "k.json"
    path.write_text("precious")
    with pytest.raises(KeyringError, match="refusing to overwrite"):
        create_keyring_file(path)
    assert path.read_text() == "precious"


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        keyring_doc("a", {}, fmt=2),
        keyring_doc("missing", {"a": b"k" * 32}),
        keyring_doc("a", {"a": b"short"}),
        keyring_doc("a", {"a": "%%%not-base64"}),
        json.dumps(["a", "list"]),
    ],
)
def test_malformed_keyring_fails_closed(document):
    with pytest.raises(KeyringError):
        parse_keyring(document)


def test_unreadable_keyring_is_a_keyring_error(tmp_path):
    with pytest.raises(KeyringError, match="cannot read"):
        load_keyring_file(tmp_path / "absent.json")
