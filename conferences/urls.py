from django.urls import path

from conferences import api, calendar_api, decision_api, meeting_api, minutes_api, plan_api
from permissions import api as audit_api

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
    path("meetings/<str:pk>/minutes/", minutes_api.MinutesView.as_view(), name="minutes"),
    path(
        "meetings/<str:pk>/minutes/circulate/",
        minutes_api.MinutesStep.as_view(step="circulate"),
        name="minutes-circulate",
    ),
    path(
        "meetings/<str:pk>/minutes/approve/",
        minutes_api.MinutesStep.as_view(step="approve"),
        name="minutes-approve",
    ),
    path(
        "meetings/<str:pk>/minutes/amendments/",
        minutes_api.MinutesAmend.as_view(),
        name="minutes-amend",
    ),
    path(
        "meetings/<str:pk>/minutes/comments/",
        minutes_api.MinutesCommentList.as_view(),
        name="minutes-comments",
    ),
    path("meetings/<str:pk>/attendance/", minutes_api.AttendanceView.as_view(), name="attendance"),
    path(
        "meetings/<str:pk>/decisions/",
        decision_api.DecisionList.as_view(),
        name="meeting-decisions",
    ),
    path("decisions/<str:pk>/", decision_api.DecisionDetail.as_view(), name="decision"),
    path(
        "decisions/<str:pk>/history/",
        decision_api.DecisionHistory.as_view(),
        name="decision-history",
    ),
    path(
        "networks/<str:network_pk>/plans/",
        plan_api.MeetingPlanView.as_view(),
        name="meeting-plans",
    ),
    path("audit/access/", audit_api.AccessRecordList.as_view(), name="audit-access"),
    path("audit/verify/", audit_api.AccessChainVerify.as_view(), name="audit-verify"),
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
