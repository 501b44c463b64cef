from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    default = True
    name = "signin"
    verbose_name = _("Sign-in")

    def ready(self):
        from signin import schema  # noqa: F401  (registers the token scheme for the schema)


class SecureAdminConfig(admin_apps.AdminConfig):
    """The admin, on a site that asks for a second factor (`signin.admin_site`)."""

    default = False
    default_site = "signin.admin_site.SecureAdminSite"
