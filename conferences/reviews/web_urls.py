"""Web pages of roles (the API's routes are in urls.py)."""

from django.urls import path

from conferences.reviews import views

app_name = "roles"

urlpatterns = [
    path("", views.role_list, name="list"),
]
