from django.urls import path

from signin import api

urlpatterns = [
    path("me/two-factor/", api.MyTwoFactor.as_view(), name="me-two-factor"),
    path("me/two-factor/confirm/", api.MyTwoFactorConfirm.as_view(), name="me-two-factor-confirm"),
    path(
        "networks/<str:network_pk>/two-factor-resets/",
        api.TwoFactorResets.as_view(),
        name="two-factor-resets",
    ),
]
