from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "conferences"
    verbose_name = _("Meetings and cases")

    def ready(self):
        from conferences import checks  # noqa: F401  (registers the keyring check)
