from django.urls import path

from network import api

urlpatterns = [
    path("me/", api.Me.as_view(), name="me"),
    path("networks/", api.NetworkListCreate.as_view(), name="network-list"),
    path("networks/<str:pk>/", api.NetworkDetail.as_view(), name="network-detail"),
    path(
        "networks/<str:network_pk>/staff-roles/",
        api.StaffRoleList.as_view(),
        name="staff-role-list",
    ),
    path(
        "networks/<str:network_pk>/staff-roles/<str:pk>/",
        api.StaffRoleDetail.as_view(),
        name="staff-role-detail",
    ),
    path(
        "networks/<str:network_pk>/memberships/",
        api.MembershipList.as_view(),
        name="membership-list",
    ),
    path(
        "networks/<str:network_pk>/memberships/<str:pk>/",
        api.MembershipDetail.as_view(),
        name="membership-detail",
    ),
    path("networks/<str:network_pk>/pledges/", api.PledgeList.as_view(), name="pledge-list"),
]
