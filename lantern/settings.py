"""Lantern settings: one file, driven by environment variables, safe by default.

Development defaults: SQLite in ./var, DEBUG off unless LANTERN_DEBUG=1.
Production: set LANTERN_PRODUCTION=1, LANTERN_SECRET_KEY, LANTERN_ALLOWED_HOSTS and DATABASE_URL.
"""

import importlib.util
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = envbool("LANTERN_PRODUCTION")
DEBUG = envbool("LANTERN_DEBUG") and not PRODUCTION
TESTING = envbool("LANTERN_TESTING")

if PRODUCTION:
    # Secrets come only from the environment (CF6): fail loudly rather than fall back.
    SECRET_KEY = os.environ["LANTERN_SECRET_KEY"]
else:
    SECRET_KEY = os.environ.get(
        "LANTERN_SECRET_KEY", "insecure-development-key-never-used-in-production-0123456789"
    )

ALLOWED_HOSTS = envlist("LANTERN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("LANTERN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_htmx",
    "lantern.common",
    "lantern.geo",
    "lantern.audit",
    "lantern.accounts",
    "lantern.people",
    "lantern.episodes",
    "lantern.interviews",
    "lantern.risk",
    "lantern.reporting",
    "lantern.panels",
    "lantern.intelligence",
    "lantern.linkage",
    "lantern.imports",
    "lantern.api",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "lantern.home",
    "lantern.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lantern.common.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "lantern.accounts.middleware.SessionLifetimeMiddleware",
    "lantern.accounts.middleware.ActingMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lantern.common.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lantern.urls"
WSGI_APPLICATION = "lantern.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lantern.accounts.context_processors.acting",
                "lantern.home.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR = Path(os.environ.get("LANTERN_VAR_DIR", BASE_DIR / "var"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    SQLITE_PATH = Path(os.environ.get("LANTERN_SQLITE_PATH", VAR_DIR / "lantern.sqlite3"))
    # A fresh checkout has no var/ folder, and SQLite will not create the file's folder.
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one
                # failing with "database is locked" when it tries to upgrade its read lock.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# Every request is one transaction: the page and its audit event commit together or not at all
# (security goal AD7).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests sign in hundreds of personas.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:worklist"
LOGOUT_REDIRECT_URL = "accounts:login"

# Throttle failed sign-ins per username *and* address, so an attacker cannot lock a real user
# out from elsewhere (AU4); the lock lifts by itself after the cool-off.
AXES_FAILURE_LIMIT = envint("LANTERN_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LANTERN_SIGNIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = envbool("LANTERN_AXES_ENABLED", True)
# Behind reverse proxies every request arrives from the proxy's address, and throttling by
# username and address would become throttling by username alone: anyone could lock anyone out.
# Set LANTERN_TRUSTED_PROXY_COUNT to the number of proxies in front of Lantern so the client's
# address is read from X-Forwarded-For, counting from the right (the left part is forgeable).
LANTERN_TRUSTED_PROXY_COUNT = envint("LANTERN_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "lantern.common.middleware.client_ip"

# --- Sessions and cookies -------------------------------------------------------------------
SESSION_IDLE_SECONDS = envint("LANTERN_SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS = envint("LANTERN_SESSION_ABSOLUTE_HOURS", 12) * 3600
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True  # each request pushes the idle deadline back
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = envbool("LANTERN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("LANTERN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS: list = [BASE_DIR / "static"]
# Leaflet comes from the django-leaflet package at install time (never copied into the repo). Its
# app is not installed because its admin needs the GDAL system library; we only need its files.
_leaflet_spec = importlib.util.find_spec("leaflet")
if _leaflet_spec is not None and _leaflet_spec.submodule_search_locations:
    STATICFILES_DIRS.append(Path(next(iter(_leaflet_spec.submodule_search_locations))) / "static")
# Serve static files through WhiteNoise straight from the app folders outside production, so
# `make run` works with DEBUG off.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email (notifications) ------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "LANTERN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("LANTERN_FROM_EMAIL", "lantern@localhost")

# --- Logging: no names or dates of birth in logs (DP5); requests are logged by id only. --------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LANTERN_LOG_LEVEL", "WARNING")},
}

# --- Lantern rules that are local practice or unverified: configuration, not code -----------
LANTERN = {
    # Independent return interview within 72 hours of return (domain §1.4, [V]).
    "RHI_DUE_HOURS": envint("LANTERN_RHI_DUE_HOURS", 72),
    # "Frequently missing": N episodes in a rolling window (domain §1.6, §6.2; [L]).
    "FREQUENT_MISSING_COUNT": envint("LANTERN_FREQUENT_MISSING_COUNT", 3),
    "FREQUENT_MISSING_DAYS": envint("LANTERN_FREQUENT_MISSING_DAYS", 90),
    # How long a share may last before someone must renew it.
    "SHARE_MAX_DAYS": envint("LANTERN_SHARE_MAX_DAYS", 365),
}

# --- REST API (lantern.api) -----------------------------------------------------------------
# Token authentication for systems, the session for a signed-in person trying the API in a
# browser; every operation needs one of them (AP2). The schema is served to signed-in callers only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an unauthenticated call gets 401 with WWW-Authenticate: Token.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "lantern.api.pagination.SyncPagination",
    "EXCEPTION_HANDLER": "lantern.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lantern API",
    "DESCRIPTION": (
        "Children, missing episodes, police risk gradings, return interviews, placements and "
        "exploitation screenings, under the same access policy and audit as the pages. "
        "See docs/api.md."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InterviewStatusEnum": "lantern.interviews.models.Status",
        "ScreeningStatusEnum": "lantern.risk.models.AssessmentStatus",
        "FactorEnum": "lantern.interviews.models.Factor",
        "ExploitationTypeEnum": "lantern.interviews.models.ExploitationType",
        "RiskLevelEnum": "lantern.risk.models.Level",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lantern.api.schema.add_error_responses",
    ],
}
