from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermissionsConfig(AppConfig):
    name = "permissions"
    label = "permissions"
    verbose_name = _("Access control")

    def ready(self):
        from permissions import checks  # noqa: F401  (registers the witness setting's check)
