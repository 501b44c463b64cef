"""The OpenAPI schema (`/api/schema/`) and the interactive docs (`/api/docs/`).

Both describe every endpoint, so they are for people logged in (a session or a token)
unless `DJANGO_API_DOCS_PUBLIC` is on. The docs page is Swagger UI from
drf-spectacular-sidecar, served by the service itself, with its start-up script as a file
of its own (the split view), so the page runs under the Content-Security-Policy without
any inline script.
"""

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, BasePermission

# Swagger UI styles its widgets with inline style attributes and draws its icons as data:
# images in its stylesheet; scripts stay 'self' only. Nothing a user typed is shown on the
# page: it renders the schema, which the service writes.
DOCS_CSP = {"style-src": ["'unsafe-inline'"], "img-src": ["data:"]}


def docs_readable(request) -> bool:
    return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class DocsReadable(BasePermission):
    """Logged in, or the docs are public (`API_DOCS_PUBLIC`)."""

    def has_permission(self, request, view) -> bool:
        return docs_readable(request)


class Schema(SpectacularAPIView):
    """`GET /api/schema/`: 401 for anyone not logged in, unless the docs are public."""

    permission_classes = [DocsReadable]


class Docs(SpectacularSwaggerSplitView):
    """`GET /api/docs/` (and its script, `?script`): a browser not logged in is sent to the
    admin's login page and back, unless the docs are public."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not docs_readable(request):
            return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
        return super().get(request, *args, **kwargs)


schema_view = Schema.as_view()
docs_view = csp_update(DOCS_CSP)(Docs.as_view(url_name="schema"))
