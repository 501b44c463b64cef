"""Web pages of meetings (the API's routes are in urls.py)."""

from django.urls import path

from conferences.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("feed/", views.calendar_feed, name="feed"),
    path("invitations/<str:pk>/answer/", views.invitation_answer, name="answer"),
    path("<str:pk>/", views.meeting_detail, name="detail"),
]
