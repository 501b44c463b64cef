"""Settings for the test suite: the base settings with a throwaway secret and keyring."""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault(
    "KEYRING_FILE", os.path.join(tempfile.mkdtemp(prefix="renkei-test-"), "keyring.json")
)

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEMO_DATA_ALLOWED = True
LANGUAGE_CODE = "ja"
STATIC_ROOT = tempfile.mkdtemp(prefix="renkei-static-")  # WhiteNoise wants it to exist
WHITENOISE_AUTOREFRESH = True
