import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()

# Refuse to serve without a usable keyring (application servers skip the system checks).
from conferences.privacy.checks import keyring_check  # noqa: E402

if errors := keyring_check(None):
    raise ImproperlyConfigured(errors[0].msg)

# Load the Japanese dictionary of the de-identification screening once per process, now,
# rather than in the first submission's request.
from conferences.privacy.deidentify import warm_up  # noqa: E402

warm_up()
