from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web pages' shared shell: layout, navigation, login, home, static assets (issue 11).
    So far it serves the vendored assets; the pages follow."""

    name = "web"
    verbose_name = _("Web pages")

    def ready(self):
        from web import middleware  # noqa: F401 - connects the sign-in's activity stamp
