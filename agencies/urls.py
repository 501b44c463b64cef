from django.urls import path

from agencies import api

urlpatterns = [
    path("agencies/", api.AgencyListCreate.as_view(), name="agency-list"),
    path("agencies/<str:pk>/", api.AgencyDetail.as_view(), name="agency-detail"),
    path("users/", api.UserListCreate.as_view(), name="user-list"),
    path("users/<str:pk>/", api.UserDetail.as_view(), name="user-detail"),
]
