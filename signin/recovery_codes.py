"""Recovery codes: made here, shown once, and kept only as keyed digests.

A code is 12 characters from a 31-letter alphabet without look-alikes (59 bits), shown as
`xxxx-xxxx-xxxx`. What is stored is HMAC-SHA256 under a key derived from the keyring's hash
key: whoever holds only the database can neither read the codes nor test guesses against
them. Input is forgiving: case, spaces and hyphens do not matter.
"""

import hashlib
import hmac
import secrets

from conferences.privacy import encryption

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # 31 letters: no 0/o, 1/i/l
LENGTH = 12
COUNT = 10


def normalize(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def looks_like_recovery_code(code: str) -> bool:
    """A recovery code's shape (as opposed to a 6-digit one-time code)."""
    text = normalize(code)
    return len(text) == LENGTH and all(ch in ALPHABET for ch in text)


def generate(count: int = COUNT) -> list[str]:
    """`count` new codes, for showing once."""
    codes = []
    for _ in range(count):
        text = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        codes.append("-".join(text[i : i + 4] for i in range(0, LENGTH, 4)))
    return codes


def digest(code: str) -> str:
    """The keyed digest stored for a code (hex). Raises KeyringError without a hash key."""
    key = encryption.derived_key("recovery-codes")
    return hmac.new(key, normalize(code).encode(), hashlib.sha256).hexdigest()
