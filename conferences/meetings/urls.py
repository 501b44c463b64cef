"""Routes of meetings (API.md: meetings, invitations, agendas, plans, calendars)."""

from django.urls import path

from conferences.meetings import api as meeting_api
from conferences.meetings import calendar_api, plan_api

urlpatterns = [
    path("meetings/", meeting_api.MeetingListCreate.as_view(), name="meeting-list"),
    path("meetings/<str:pk>/", meeting_api.MeetingDetail.as_view(), name="meeting-detail"),
    path(
        "meetings/<str:pk>/convene/", meeting_api.MeetingConvene.as_view(), name="meeting-convene"
    ),
    path("meetings/<str:pk>/hold/", meeting_api.MeetingHold.as_view(), name="meeting-hold"),
    path("meetings/<str:pk>/close/", meeting_api.MeetingClose.as_view(), name="meeting-close"),
    path("meetings/<str:pk>/cancel/", meeting_api.MeetingCancel.as_view(), name="meeting-cancel"),
    path(
        "meetings/<str:pk>/invitations/",
        meeting_api.InvitationList.as_view(),
        name="meeting-invitations",
    ),
    path("invitations/<str:pk>/", meeting_api.InvitationAnswer.as_view(), name="invitation"),
    path(
        "meetings/<str:pk>/agenda-items/",
        meeting_api.AgendaItemList.as_view(),
        name="meeting-agenda",
    ),
    path("agenda-items/<str:pk>/", meeting_api.AgendaItemDetail.as_view(), name="agenda-item"),
    path(
        "networks/<str:network_pk>/plans/",
        plan_api.MeetingPlanView.as_view(),
        name="meeting-plans",
    ),
    path(
        "meetings/<str:pk>/calendar.ics",
        calendar_api.MeetingCalendar.as_view(),
        name="meeting-calendar",
    ),
    path("me/calendar-token/", calendar_api.CalendarTokenView.as_view(), name="calendar-token"),
    path(
        "calendar/<str:token>.ics",
        calendar_api.PersonalCalendarFeed.as_view(),
        name="calendar-feed",
    ),
]
