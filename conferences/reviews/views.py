"""Web pages of roles: my agency's roles."""

from django.template.response import TemplateResponse

from web.access import page


@page
def role_list(request):
    """my agency's roles."""
    return TemplateResponse(request, "roles/list.html", {})
