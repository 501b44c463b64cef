"""Web pages of roles (the API's routes are in urls.py)."""

from django.urls import path

from conferences.reviews import views

app_name = "roles"

urlpatterns = [
    path("", views.role_list, name="list"),
    path("<str:pk>/", views.role_detail, name="detail"),
    path("<str:pk>/agree/", views.role_agree, name="agree"),
    path("<str:pk>/decline/", views.role_decline, name="decline"),
    path("<str:pk>/progress/", views.role_progress, name="progress"),
]
