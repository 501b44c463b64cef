from django.urls import path

from web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("pledge/", views.pledge, name="pledge"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password"),
    path("account/two-factor/", views.two_factor, name="two_factor"),
    path("account/two-factor/qr.svg", views.two_factor_qr, name="two_factor_qr"),
]
