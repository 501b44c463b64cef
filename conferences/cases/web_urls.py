"""Web pages of cases (the API's routes are in urls.py)."""

from django.urls import path

from conferences.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
]
