from django.urls import path

from conferences import api

urlpatterns = [
    path("cases/", api.CaseListCreate.as_view(), name="case-list"),
    path("cases/screen/", api.CaseScreen.as_view(), name="case-screen"),
    path("cases/<str:pk>/", api.CaseDetail.as_view(), name="case-detail"),
    path("cases/<str:pk>/submit/", api.CaseSubmit.as_view(), name="case-submit"),
    path("cases/<str:pk>/withdraw/", api.CaseWithdraw.as_view(), name="case-withdraw"),
    path("cases/<str:pk>/close/", api.CaseClose.as_view(), name="case-close"),
    path("cases/<str:pk>/purge/", api.CasePurge.as_view(), name="case-purge"),
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
    path("audit/access/", api.AccessRecordList.as_view(), name="audit-access"),
    path("audit/verify/", api.AccessChainVerify.as_view(), name="audit-verify"),
]
