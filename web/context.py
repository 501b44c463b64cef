"""What every page's shell shows: the navigation and where the person is in it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    ("web:home", _("Today")),
    ("cases:list", _("Cases")),
    ("meetings:list", _("Meetings")),
    ("roles:list", _("Roles")),
    ("web:account", _("Account")),
]


def shell(request):
    """`navigation`: `(url, label, current)` per section, for signed-in people only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    for name, label in NAVIGATION:
        url = reverse(name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append((url, label, current))
    return {"navigation": items}
