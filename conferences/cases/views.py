"""Web pages of cases: my agency's cases."""

from django.template.response import TemplateResponse

from web.access import page


@page
def case_list(request):
    """my agency's cases."""
    return TemplateResponse(request, "cases/list.html", {})
