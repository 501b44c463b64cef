"""Routes of minutes, their comments, and attendance."""

from django.urls import path

from conferences.minutes import api

urlpatterns = [
    path("meetings/<str:pk>/minutes/", api.MinutesView.as_view(), name="minutes"),
    path(
        "meetings/<str:pk>/minutes/circulate/",
        api.MinutesStep.as_view(step="circulate"),
        name="minutes-circulate",
    ),
    path(
        "meetings/<str:pk>/minutes/approve/",
        api.MinutesStep.as_view(step="approve"),
        name="minutes-approve",
    ),
    path(
        "meetings/<str:pk>/minutes/amendments/",
        api.MinutesAmend.as_view(),
        name="minutes-amend",
    ),
    path(
        "meetings/<str:pk>/minutes/comments/",
        api.MinutesCommentList.as_view(),
        name="minutes-comments",
    ),
    path("meetings/<str:pk>/attendance/", api.AttendanceView.as_view(), name="attendance"),
]
