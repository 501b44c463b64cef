"""Routes of the decisions of representatives' meetings."""

from django.urls import path

from conferences.decisions import api

urlpatterns = [
    path(
        "meetings/<str:pk>/decisions/",
        api.DecisionList.as_view(),
        name="meeting-decisions",
    ),
    path("decisions/<str:pk>/", api.DecisionDetail.as_view(), name="decision"),
    path(
        "decisions/<str:pk>/history/",
        api.DecisionHistory.as_view(),
        name="decision-history",
    ),
]
