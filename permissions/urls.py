"""Routes of the access audit (API.md: the access log and its verification)."""

from django.urls import path

from permissions import api

urlpatterns = [
    path("audit/access/", api.AccessRecordList.as_view(), name="audit-access"),
    path("audit/verify/", api.AccessChainVerify.as_view(), name="audit-verify"),
]
