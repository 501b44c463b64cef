"""Routes of the role division (API.md: reviews, roles, progress, follow-ups)."""

from django.urls import path

from conferences.reviews import api

urlpatterns = [
    path("cases/<str:pk>/reviews/", api.CaseReviewList.as_view(), name="case-reviews"),
    path("reviews/<str:pk>/", api.ReviewDetail.as_view(), name="review"),
    path("reviews/<str:pk>/finalize/", api.ReviewFinalize.as_view(), name="review-finalize"),
    path("reviews/<str:pk>/roles/", api.ReviewRoleList.as_view(), name="review-roles"),
    path("reviews/<str:pk>/history/", api.ReviewHistory.as_view(), name="review-history"),
    path(
        "reviews/<str:pk>/role-division.csv",
        api.RoleDivisionExport.as_view(kind="csv"),
        name="review-export-csv",
    ),
    path(
        "reviews/<str:pk>/role-division.xlsx",
        api.RoleDivisionExport.as_view(kind="xlsx"),
        name="review-export-xlsx",
    ),
    path("roles/<str:pk>/", api.RoleDetail.as_view(), name="role"),
    path("roles/<str:pk>/agree/", api.RoleAgree.as_view(), name="role-agree"),
    path("roles/<str:pk>/decline/", api.RoleDecline.as_view(), name="role-decline"),
    path("roles/<str:pk>/invite/", api.RoleAgencyInvite.as_view(), name="role-invite"),
    path("roles/<str:pk>/progress/", api.RoleProgressList.as_view(), name="role-progress"),
    path("networks/<str:network_pk>/follow-ups/", api.FollowUps.as_view(), name="follow-ups"),
    path("networks/<str:network_pk>/role-load/", api.RoleLoad.as_view(), name="role-load"),
    path(
        "networks/<str:network_pk>/role-load.csv",
        api.RoleLoad.as_view(kind="csv"),
        name="role-load-csv",
    ),
    path(
        "meetings/<str:pk>/agenda-items/role-tasks/",
        api.RoleTasksAgendaItem.as_view(),
        name="meeting-agenda-role-tasks",
    ),
]
