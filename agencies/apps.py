from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agencies and staff")

    def ready(self):
        from agencies import signals  # noqa: F401  (connects the account-saved receivers)
