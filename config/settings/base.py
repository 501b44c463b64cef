"""Settings for every environment. Configuration comes from the environment only.

With DJANGO_DEBUG off (the default) the service refuses to start without a secret key,
allowed hosts and a usable keyring file. `make run` turns DJANGO_DEBUG on for local use,
where a development secret key and a local keyring under var/ are used instead.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str, require

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DJANGO_DEBUG", False)

if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "django-insecure-local-development-only")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
    KEYRING_FILE = Path(env_str("KEYRING_FILE", str(VAR_DIR / "keyring.json")))
else:
    SECRET_KEY = require(
        "DJANGO_SECRET_KEY", env_str("DJANGO_SECRET_KEY"), "it signs sessions and tokens."
    )
    ALLOWED_HOSTS = require(
        "DJANGO_ALLOWED_HOSTS",
        env_list("DJANGO_ALLOWED_HOSTS", []),
        "list the host names the service answers to, comma-separated.",
    )
    _keyring = require(
        "KEYRING_FILE",
        env_str("KEYRING_FILE"),
        "case content is encrypted with keys from this file; create it with "
        "'manage.py keys init' and keep it outside the database.",
    )
    # Its existence is checked at start-up (system check conferences.E001, and wsgi.py), not
    # here, so that 'manage.py keys init' can create it on a new install.
    KEYRING_FILE = Path(_keyring)

INSTALLED_APPS = [
    "signin.apps.SecureAdminConfig",  # django.contrib.admin on a site that wants a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "signin",
    "agencies",
    "network",
    "permissions",
    "conferences",
    "web",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control: no-store on /api/ and /admin/ (outermost but one, so that redirects
    # and error pages of the middleware below are marked too).
    "config.http.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified() for sessions
    "django_htmx.middleware.HtmxMiddleware",
    "web.middleware.RefusalPageMiddleware",  # a service's refusal on a page, in words
    "django.contrib.messages.middleware.MessageMiddleware",
    "web.middleware.IdleTimeoutMiddleware",  # sessions end after WEB_IDLE_MINUTES unused
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "web.context.shell",
            ],
        },
    },
]

if env_str("DATABASE_URL") is None:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default lives in var/, which git does not keep

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves concurrent requests only in WAL mode (readers never wait for the writer)
    # with a busy timeout (a writer waits for another instead of failing at once). Every
    # transaction starts IMMEDIATE: an audited read writes its access record inside the
    # transaction that read, and a deferred transaction upgrading to a write cannot wait
    # for the lock; it fails with "database is locked" whatever the timeout.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("DJANGO_SQLITE_TIMEOUT", 20),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "permissions.backends.TimeAwareGuardianBackend",
    "permissions.backends.MembershipBackend",
]
# Sessions (the admin, the browsable API) are kept by SESSION_STORE, behind an engine that
# indexes them by person so that leaving an agency, deactivation and a new password end
# them at once (agencies/sessions.py).
SESSION_ENGINE = "agencies.sessions"
SESSION_STORE = env_str("DJANGO_SESSION_STORE", "django.contrib.sessions.backends.db")
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # The display name is what colleagues know a person by (and what a guesser tries).
        "OPTIONS": {
            "user_attributes": ("username", "display_name", "email", "first_name", "last_name")
        },
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# guardian.W001 looks for its own backend by name; ours is a subclass of it (time-aware for
# cases), so the warning does not apply.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]

# Guardian: no anonymous user (nothing here is public), direct foreign-key permission
# models live in permissions/models.py.
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The admin's and the API docs' assets are served by the app itself (WhiteNoise, after
# `manage.py collectstatic` in production): city networks often block outside CDNs.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG  # locally, serve straight from the apps without collectstatic

# Reverse proxies in front of the service (0: clients connect directly). Only behind them
# are X-Forwarded-For and X-Forwarded-Proto believed.
NUM_PROXIES = env_int("DJANGO_NUM_PROXIES", 0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "signin.authentication.TokenAuthentication",  # knox, plus is_verified()
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, with JSON bounded in depth (config/parsers.py); the form parsers stay
    # for the browsable API.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("DJANGO_LOGIN_RATE", "20/minute"),  # per client address
        # failed logins per username and client address together (signin.throttle)
        "login_user": env_str("DJANGO_LOGIN_USER_RATE", "10/minute"),
        "screen": env_str("DJANGO_SCREEN_RATE", "60/minute"),
    },
    # Client addresses come from REMOTE_ADDR unless proxies in front are declared: a client
    # must not choose its own address (and escape the throttles) with X-Forwarded-For.
    "NUM_PROXIES": NUM_PROXIES,
}

# Failed logins per username in 24 hours, from anywhere: past it only a sign-in with a second
# factor gets through, and reaching it alerts the person's coordinators (0 turns it off).
LOGIN_USER_DAILY_CAP = env_int("DJANGO_LOGIN_USER_DAILY_CAP", 100)

# Second factor (django-otp): TOTP per RFC 6238 (SHA-1, 6 digits, 30 s), named in
# authenticator apps by this issuer. The admin never shows a device's secret once saved.
OTP_TOTP_ISSUER = env_str("DJANGO_OTP_ISSUER", "連携会議")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# API tokens (django-rest-knox): stored only as SHA-512 digests, expiring after a working
# day by default, one per login so a lost device is logged out alone.
# knox's own token model, named because signin.models.VerifiedToken refers to it.
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 - a model name, not a secret
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("DJANGO_TOKEN_TTL_HOURS", 10)),
    "AUTH_HEADER_PREFIX": "Token",
    "USER_SERIALIZER": None,
    "TOKEN_LIMIT_PER_USER": None,
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "連携会議 API (inter-agency support network)",
    "DESCRIPTION": "REST API v1 for municipal inter-agency support networks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Integer path ids, the contract's error answers, file media types: config/schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.postprocess",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "conferences.models.CaseStatus",
        "MeetingStatusEnum": "conferences.models.MeetingStatus",
        "DecisionStatusEnum": "conferences.models.Decision.Status",
        "AttendanceStatusEnum": "conferences.models.Attendance.Status",
    },
    # Swagger UI from the sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Security. HTTPS is expected to end at a reverse proxy that sets X-Forwarded-Proto;
# see the README's deployment notes for the settings below. Without a declared proxy the
# header is not believed: a client connecting directly over HTTP could otherwise pass its
# request off as HTTPS (secure-only cookies, redirects, CSRF's referer check).
if NUM_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# No script reads the CSRF cookie: the pages carry the token in their forms and, for htmx,
# in <body hx-headers>.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "web.middleware.csrf_failure"  # a page in words, like every refusal
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The web pages: where signing in starts and ends.
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# A session unused for this many minutes ends (web pages, the admin, the browsable API): a
# computer left signed in on a shared desk opens nothing for long. 0 turns it off.
WEB_IDLE_MINUTES = env_int("DJANGO_IDLE_MINUTES", 30)

# Admin and browsable-API sessions last a working day from sign-in and end when the browser
# closes, like API tokens (DJANGO_TOKEN_TTL_HOURS).
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_HOURS", 10) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy (django-csp) on every response: scripts, styles, images, fonts
# and requests from the service itself only, no inline script, no plugins, no framing.
# The API docs page loosens only styles and images (config/docs.py says why).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The OpenAPI schema and the interactive docs describe every endpoint: only for people
# logged in, unless this is turned on (a development or staging instance).
API_DOCS_PUBLIC = env_bool("DJANGO_API_DOCS_PUBLIC", False)

# E-mail (meeting notices and reminders): printed to the console unless an SMTP server is
# configured. Mails carry a meeting's title, time, place and link, never case content.
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_EMAIL_FROM", "noreply@localhost")
# Notices are sent after the change commits, within the request: never hang on a dead server.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10)

# The access chains' witness (`manage.py audit_witness`, daily): each network's chain head
# written outside the database, so a chain cut short with its head row is still caught.
# `file:/var/lib/renkei/witness.jsonl`, `syslog`, `syslog:/dev/log`, `syslog:udp://host:514`
# or `syslog:tcp://host:514`; unset, nothing is witnessed. Parsed by permissions.witness.
AUDIT_WITNESS = env_str("AUDIT_WITNESS")
AUDIT_WITNESS_FACILITY = env_str("AUDIT_WITNESS_FACILITY", "local0")

# `manage.py load_demo` creates accounts with published passwords: local use only.
DEMO_DATA_ALLOWED = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
