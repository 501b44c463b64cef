from django.contrib import admin
from django.urls import include, path

from config.docs import docs_view, schema_view
from config.views import ApiRoot, TokenLogin, TokenLogout, TokenLogoutAll

api_v1 = [
    path("", ApiRoot.as_view(), name="api-root"),
    path("auth/token/", TokenLogin.as_view(), name="auth-token"),
    path("auth/logout/", TokenLogout.as_view(), name="auth-logout"),
    path("auth/logout-all/", TokenLogoutAll.as_view(), name="auth-logout-all"),
    path("", include("agencies.urls")),
    path("", include("network.urls")),
    path("", include("signin.urls")),
    # The screening first: `cases/screen/` is not a case id.
    path("", include("conferences.privacy.urls")),
    path("", include("conferences.cases.urls")),
    path("", include("conferences.meetings.urls")),
    path("", include("conferences.minutes.urls")),
    path("", include("conferences.decisions.urls")),
    path("", include("conferences.reviews.urls")),
    path("", include("permissions.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", schema_view, name="schema"),
    path("api/docs/", docs_view, name="docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The web pages.
    path("cases/", include("conferences.cases.web_urls")),
    path("meetings/", include("conferences.meetings.web_urls")),
    path("roles/", include("conferences.reviews.web_urls")),
    path("", include("web.urls")),
]

# Under /api/ Django's own errors answer the contract's JSON; elsewhere, pages in words.
handler400 = "config.http.bad_request"
handler403 = "config.http.permission_denied"
handler404 = "config.http.page_not_found"
handler500 = "config.http.server_error"
