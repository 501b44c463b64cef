"""Web pages of meetings: the meetings I am invited to."""

from django.template.response import TemplateResponse

from web.access import page


@page
def meeting_list(request):
    """the meetings I am invited to."""
    return TemplateResponse(request, "meetings/list.html", {})


@page
def calendar_feed(request):
    """My personal calendar feed address, with renew and revoke."""
    return TemplateResponse(request, "meetings/feed.html", {})
