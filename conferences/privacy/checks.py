"""System checks: the keyring must be usable before the service answers anybody."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from conferences.privacy.encryption import KeyringError, create_keyring_file, load_keyring_file


@register()
def keyring_check(app_configs, **kwargs):
    """E001 when the keyring cannot be read. On a local (DEBUG) first run, create it."""
    path = Path(settings.KEYRING_FILE)
    if settings.DEBUG and not path.exists():
        try:
            create_keyring_file(path)
        except KeyringError:
            pass
    try:
        load_keyring_file(path)
    except KeyringError as error:
        return [
            Error(
                f"The encryption keyring is not usable: {error}",
                hint="Set KEYRING_FILE to a keyring created by 'manage.py keys init'.",
                id="conferences.E001",
            )
        ]
    return []
