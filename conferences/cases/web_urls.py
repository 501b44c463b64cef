"""Web pages of cases (the API's routes are in urls.py)."""

from django.urls import path

from conferences.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("screen/", views.case_screen, name="screen"),
    path("<str:pk>/", views.case_detail, name="detail"),
    path("<str:pk>/edit/", views.case_edit, name="edit"),
    path("<str:pk>/submit/", views.case_submit, name="submit"),
    path("<str:pk>/withdraw/", views.case_withdraw, name="withdraw"),
]
