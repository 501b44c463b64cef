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
    path("", include("conferences.screening_urls")),
    path("", include("conferences.case_urls")),
    path("", include("conferences.meeting_urls")),
    path("", include("conferences.minutes_urls")),
    path("", include("conferences.decision_urls")),
    path("", include("conferences.review_urls")),
    path("", include("permissions.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", schema_view, name="schema"),
    path("api/docs/", docs_view, name="docs"),
]

# Under /api/ Django's own errors answer the contract's JSON; elsewhere (the admin), HTML.
handler400 = "config.http.bad_request"
handler403 = "config.http.permission_denied"
handler404 = "config.http.page_not_found"
handler500 = "config.http.server_error"
