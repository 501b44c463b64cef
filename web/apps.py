from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web pages' shared shell: layout, navigation, login, account, pledge, home, error
    pages and static assets. Each part's own pages live beside its API."""

    name = "web"
    verbose_name = _("Web pages")

    def ready(self):
        from web import middleware  # noqa: F401 - connects the sign-in's activity stamp
