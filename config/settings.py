"""Django settings for Hindsight, read from the environment (see README, "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from import_export.formats.base_formats import CSV, JSON, XLSX

from config.env import env_bool, env_int, env_list
from sources.spreadsheets import SafeCSV, SafeXLSX

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set. Set it to the host names the app serves.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "sources",
    "forecasts",
    "config.jobs",
]

MIDDLEWARE = [
    # First: decides, before any query, whether this request may read from the replica.
    "config.db_router.ReplicaRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Sends an anonymous API read's throttle count now, to be collected by the throttle (forecasts.early_count).
    "forecasts.early_count.EarlyCountMiddleware",
    "config.unavailable.ServiceUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body or queries the database with the query string.
    "config.middleware.RejectNulInQueryStringMiddleware",
    "config.middleware.ApiBodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

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
                "forecasts.context_processors.feed_links",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Faults (config.unavailable): a database that does not answer makes a request fail within
# DB_CONNECT_TIMEOUT seconds as a 503, not hang; a persistent connection is health-checked before
# reuse, so service is back with the database's first answer. On PostgreSQL the check reads the
# socket, not the server (config.postgresql): no SELECT 1 before each request.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 5)


def _database(url):
    database = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    if "postgresql" in database["ENGINE"]:
        database["ENGINE"] = "config.postgresql"
        database.setdefault("OPTIONS", {}).setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    return database


DATABASES = {"default": _database(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A read replica (README, "Scaling out"): anonymous reads go to it, everything else to the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database(DATABASE_REPLICA_URL)
    DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every worker process: the read model's answers and the score version
# (forecasts.read_model) must be shared to be fresh. Redis when REDIS_URL is set (docker-compose runs
# one); otherwise a database table, created by a migration (forecasts 0004), which needs no extra
# service. Throttle counts use Redis too, or their own table without it (forecasts.throttling).
REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis that does not answer within CACHE_TIMEOUT seconds is a 503 (config.unavailable), not a hang.
CACHE_TIMEOUT = env_int("CACHE_TIMEOUT", 2)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": CACHE_TIMEOUT, "socket_timeout": CACHE_TIMEOUT},
    }
    if REDIS_URL
    # Room for an answer per expert (their scores) and the leaderboard's pages: culling (a COUNT of the
    # table on each write) then runs only past 20,000 entries.
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hindsight_cache",
          "OPTIONS": {"MAX_ENTRIES": 20_000}}
}
# Seconds a client is told to wait (Retry-After) when the database or the cache is down.
UNAVAILABLE_RETRY_AFTER = env_int("UNAVAILABLE_RETRY_AFTER", 5)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files straight from the apps when collectstatic has not run (development, tests).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Production hardening: on by default whenever DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append to X-Forwarded-For. 0: the header is ignored and
# the client is REMOTE_ADDR; otherwise config.client_address picks the address the outermost
# trusted proxy saw. Throttles (NUM_PROXIES) and lockouts (AXES_CLIENT_IP_CALLABLE) use it.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES={TRUSTED_PROXIES} must be 0 or more.")

LOGIN_URL = "admin:login"

# API tokens last this many days from when they are issued (then 401; ask for a new one). A
# password change revokes a user's tokens at once (forecasts.tokens).
TOKEN_TTL = timedelta(days=env_int("TOKEN_TTL", 30))
if TOKEN_TTL.days < 1:
    raise ImproperlyConfigured("TOKEN_TTL is the number of days a token lasts: 1 or more.")

# Login abuse: an account is locked for 15 minutes after 5 failed logins (admin and API token).
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner on every management command
# The lock lasts 15 minutes from the fifth failure; tries during the lock do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"
# axes.W006 asks to lock by IP address too. Locking is per account by design (an office behind
# one address must not lock itself out); per-client limits come from DRF throttling.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Content security policy: scripts only from this site (the API docs' assets are served
# locally by drf-spectacular-sidecar); inline styles are allowed for the admin and the charts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "forecasts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["forecasts.permissions.AnalystWritesOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "forecasts.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "forecasts.schema.HindsightAutoSchema",
    "EXCEPTION_HANDLER": "forecasts.exceptions.api_exception_handler",
    # Throttles identify a client by the address rule of config.client_address.
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_PARSER_CLASSES": [
        "forecasts.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Anonymous reads and token requests are throttled per client; analysts' bulk work is not
    # (thousands of authenticated requests an hour fit well inside the user rate).
    "DEFAULT_THROTTLE_CLASSES": [
        # Fixed-window counters: one round trip a request (see forecasts.throttling).
        "forecasts.throttling.AnonThrottle",
        "forecasts.throttling.UserThrottle",
        "forecasts.throttling.ScopedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("THROTTLE_USER", "20000/hour"),
        "token": os.environ.get("THROTTLE_TOKEN", "20/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Hindsight API",
    "DESCRIPTION": (
        "Experts, sources, questions and claims; resolutions; and each expert's accuracy "
        "(Brier, log, baseline and peer scores, calibration). Reading is open; writing needs an "
        "analyst (token or session)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OutcomeEnum": "forecasts.constants.Outcome",
        "ProbabilityOriginEnum": "forecasts.constants.ProbabilityOrigin",
        "PredictsEnum": "forecasts.constants.Side",
        "QuestionStatusEnum": "forecasts.constants.QuestionStatus",
    },
}

# History is read-only: reverting from the history page would bypass the services' checks.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Change reasons are free text (a re-resolution's reason may be long): no 100-character column.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Import and export in the admin: CSV, XLSX and JSON; importing needs the "add" permission.
IMPORT_EXPORT_FORMATS = [CSV, XLSX, JSON]
# Exports escape cells a spreadsheet would run as formulas (sources/spreadsheets.py); the library's
# IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a leading "=" and turns every cell into text.
EXPORT_FORMATS = [SafeCSV, SafeXLSX, JSON]
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Background work (django-tasks): "immediate" runs each job in the process that starts it (no
# worker to run); "database" queues it in a table for `manage.py db_worker` (docker-compose runs one).
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r} must be one of: {', '.join(_TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
# An admin import of more rows than this runs as a background job (its page shows the progress).
HINDSIGHT_IMPORT_TASK_ROWS = env_int("HINDSIGHT_IMPORT_TASK_ROWS", 5000)
# Each web process keeps the read model's JSON bodies it served, up to this many bytes, and serves them
# again while the shared score version is unchanged (forecasts.body_memo); 0 keeps none.
HINDSIGHT_BODY_MEMO_BYTES = env_int("HINDSIGHT_BODY_MEMO_BYTES", 32 * 1024 * 1024)
# An anonymous read of a stored API body sends its throttle count as it arrives, on a second PostgreSQL
# connection per worker thread, so that the server counts while Django works (forecasts.early_count).
HINDSIGHT_EARLY_COUNT = env_bool("HINDSIGHT_EARLY_COUNT", default=True)

# Experts with fewer scored questions are listed as "insufficient record", not ranked.
HINDSIGHT_MIN_SCORED = env_int("HINDSIGHT_MIN_SCORED", 1)
# Ranking: each expert's Brier is shrunk toward chance (0.25) as if they had this many more questions
# at 0.25, the Brier of always saying 50 % (forecasts.scoring.shrunk_brier).
HINDSIGHT_SHRINK_K = env_int("HINDSIGHT_SHRINK_K", 5)
if HINDSIGHT_SHRINK_K < 0:
    raise ImproperlyConfigured(f"HINDSIGHT_SHRINK_K={HINDSIGHT_SHRINK_K} must be 0 or more.")

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
# One handler, on the root logger. Django's own "django" logger gets none of its defaults (a console
# handler with DEBUG on, which printed each line twice); its records reach the root's handler.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django": {"handlers": [], "level": LOG_LEVEL, "propagate": True}},
}
