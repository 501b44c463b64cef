"""Routes of cases (API.md: cases and their transitions)."""

from django.urls import path

from conferences.cases import api

urlpatterns = [
    path("cases/", api.CaseListCreate.as_view(), name="case-list"),
    path("cases/<str:pk>/", api.CaseDetail.as_view(), name="case-detail"),
    path("cases/<str:pk>/submit/", api.CaseSubmit.as_view(), name="case-submit"),
    path("cases/<str:pk>/withdraw/", api.CaseWithdraw.as_view(), name="case-withdraw"),
    path("cases/<str:pk>/close/", api.CaseClose.as_view(), name="case-close"),
    path("cases/<str:pk>/purge/", api.CasePurge.as_view(), name="case-purge"),
]
