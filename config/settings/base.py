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
    "django.contrib.admin",
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
    "agencies",
    "network",
    "permissions",
    "conferences",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "permissions.backends.TimeAwareGuardianBackend",
    "permissions.backends.MembershipBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
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

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("DJANGO_LOGIN_RATE", "20/minute"),  # per client address
        "login_user": env_str("DJANGO_LOGIN_USER_RATE", "10/minute"),  # per username tried
        "screen": env_str("DJANGO_SCREEN_RATE", "60/minute"),
    },
    # Client addresses come from REMOTE_ADDR unless proxies in front are declared: a client
    # must not choose its own address (and escape the throttles) with X-Forwarded-For.
    "NUM_PROXIES": env_int("DJANGO_NUM_PROXIES", 0),
}

# API tokens (django-rest-knox): stored only as SHA-512 digests, expiring after a working
# day by default, one per login so a lost device is logged out alone.
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
# see the README's deployment notes for the settings below.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

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

# `manage.py load_demo` creates accounts with published passwords: local use only.
DEMO_DATA_ALLOWED = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
