"""Routes of the screening (API.md: the dry run, allowed and forbidden terms). Included
before the cases' routes, so that `cases/screen/` is not taken for a case id."""

from django.urls import path

from conferences.privacy import api

urlpatterns = [
    path("cases/screen/", api.CaseScreen.as_view(), name="case-screen"),
    path(
        "networks/<str:network_pk>/allowed-terms/",
        api.AllowedTermList.as_view(),
        name="allowed-term-list",
    ),
    path(
        "networks/<str:network_pk>/forbidden-terms/",
        api.ForbiddenTermList.as_view(),
        name="forbidden-term-list",
    ),
]
