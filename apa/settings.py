"""Settings from the environment (docs/deploy.md, "Settings", lists every variable).

With DEBUG on (`make run`) the defaults serve one machine over plain HTTP. Without DEBUG every setting is a
production one: secure cookies, HSTS, the redirect to HTTPS. Importing this module never fails, so tests and
the jobs (`apa init`) run without SECRET_KEY; `apa serve` and `apa.wsgi` refuse to serve without it and
ALLOWED_HOSTS (SERVE_REFUSAL below)."""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


DEBUG = _flag("DEBUG")
# The key that was once the default: public, so it is never accepted as a real key.
PUBLIC_DEVELOPMENT_KEY = "apa-development-only-not-secret"
# Without SECRET_KEY: with DEBUG a fixed development key (sessions survive a restart of `make run`);
# otherwise a random key for this process alone (tests and jobs), so nothing signed elsewhere is accepted.
SECRET_KEY = _env("SECRET_KEY") or (PUBLIC_DEVELOPMENT_KEY if DEBUG else secrets.token_urlsafe(50))
ALLOWED_HOSTS = [h.strip() for h in (_env("ALLOWED_HOSTS") or "127.0.0.1,localhost,testserver").split(",") if h.strip()]


def _serve_refusal() -> str:
    """One line saying why this process may not serve, or "" when it may (always with DEBUG)."""
    if DEBUG:
        return ""
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not _env(name)]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        return (f"{' and '.join(missing)} {verb} not set: without DEBUG, set SECRET_KEY and ALLOWED_HOSTS in "
                f"the environment (docs/operations.md)")
    if _env("SECRET_KEY") == PUBLIC_DEVELOPMENT_KEY:
        return "SECRET_KEY is the public development key: set a secret one (docs/operations.md)"
    return ""


SERVE_REFUSAL = _serve_refusal()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "apa.accounts",
    "apa.frameworks",
    "apa.authorities",
    "apa.publication",
    "apa.indicators",
    "apa.assessments",
    "apa.councils",
    "apa.plans",
    "apa.opendata",
    "apa.jobs",
    "apa.api",
    "apa.ui",
    "corsheaders",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "csp.middleware.CSPMiddleware",  # first, so that every response carries the policy, redirects included
    "django.middleware.security.SecurityMiddleware",
    "apa.dbrouter.PublicReadsMiddleware",  # public reads from the replica, when there is one (docs/deploy.md)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its page
]

# The public API may be read from any site's scripts; nothing else is shared across origins.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]

ROOT_URLCONF = "apa.urls"
WSGI_APPLICATION = "apa.wsgi.application"

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
                "apa.accounts.context.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'apa.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL: readers (pages) never wait for a writer (an import), and a writer waits up to `timeout` seconds for
    # another instead of failing; synchronous=NORMAL is WAL's durable-across-crashes setting.
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE",
                                            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A read replica of the primary (PostgreSQL streaming replication) for public pages' reads (apa/dbrouter.py).
if _env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(_env("DATABASE_REPLICA_URL"), conn_max_age=60)
    DATABASE_ROUTERS = ["apa.dbrouter.ReplicaRouter"]



def _cache(url: str) -> dict:
    """CACHE_URL: empty or `locmem://` (this process's memory), `redis://host:port/db` (`rediss://` with TLS; one
    cache for every app server) or `dummy://` (nothing kept). Public pages are keyed on the data (apa.ui.cache)."""
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "apa"}
    if url == "dummy://":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if url not in ("", "locmem://"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"CACHE_URL {url!r} is not locmem://, redis://HOST:PORT/DB or dummy://")
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "apa",
            "OPTIONS": {"MAX_ENTRIES": 1000}}


CACHES = {"default": _cache(_env("CACHE_URL"))}
# How long a cached public page is kept unasked-for (seconds). Its key changes with the data, so this bounds only
# memory, and how long a change of reference data (authorities, frameworks: `apa init`) takes to show.
PAGE_CACHE_SECONDS = int(_env("PAGE_CACHE_SECONDS") or 600)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username or address before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "build" / "static"
# GOV.UK Frontend's compiled CSS refers to /assets/fonts and /assets/images, so they are served from the root.
WHITENOISE_ROOT = BASE_DIR / "build" / "root"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
# Uploaded documents are kept through Django's storage API: by default files under MEDIA_ROOT; STORAGE_BACKEND names
# another storage class (an object store's, docs/deploy.md) and STORAGE_OPTIONS its options, a JSON object.
def _json_object(name: str) -> dict:
    try:
        value = json.loads(_env(name) or "{}")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} is not a JSON object, e.g. {{\"bucket_name\": \"apa-documents\"}}")
    return value


STORAGES = {
    "default": {"BACKEND": _env("STORAGE_BACKEND") or "django.core.files.storage.FileSystemStorage",
                "OPTIONS": _json_object("STORAGE_OPTIONS")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The address people use to reach this service, for links in emails (alerts, password reset).
SITE_URL = os.environ.get("SITE_URL", "")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "apa@localhost")
if _env("EMAIL_FILE_PATH"):  # with the file-based backend: one file per email, for a test or a trial
    EMAIL_FILE_PATH = _env("EMAIL_FILE_PATH")

# ---- security headers and cookies (docs/operations.md) ------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it: forms carry the token
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Signed-in people are signed out after 30 minutes without a request: every request of a session with data in it
# saves it again with a fresh expiry (a visitor with an empty session, the public, writes nothing).
SESSION_COOKIE_AGE = int(_env("SESSION_IDLE_SECONDS") or 1800)
SESSION_SAVE_EVERY_REQUEST = True
SECURE_SSL_REDIRECT = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000  # one year, as the HSTS preload list asks
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG  # consent to the browsers' preload list; submitting the domain is a separate step
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """SECURE_PROXY_SSL_HEADER from the environment: `X-Forwarded-Proto` (meaning `X-Forwarded-Proto: https`)
    or `Header: value`; unset means no header is trusted."""
    if not value:
        return None
    name, _, expected = value.partition(":")
    return "HTTP_" + name.strip().upper().replace("-", "_"), expected.strip() or "https"


# Set it only when a proxy in front terminates TLS and overwrites the header on every request.
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(_env("SECURE_PROXY_SSL_HEADER"))
# Origins, besides the page's own (https://ALLOWED_HOST), whose forms may post here: scheme://host[:port], commas.
CSRF_TRUSTED_ORIGINS = [o.strip() for o in _env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
# The header the proxy puts the client's address in (right-most entry), for sign-in and reset limits.
CLIENT_IP_HEADER = _env("CLIENT_IP_HEADER")

# Content-Security-Policy (django-csp): our own files only; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# ---- sign-in throttle (django-axes) and password-reset limits ------------------------------------------------
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: a username, or an address
AXES_LOCKOUT_CALLABLE = "apa.accounts.views.locked_out"  # a GOV.UK page, 429
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "apa.accounts.throttle.client_ip"
PASSWORD_RESET_LIMIT = 3  # requests sent per email address, and per client address, in PASSWORD_RESET_WINDOW
PASSWORD_RESET_WINDOW = timedelta(hours=1)

# ---- background jobs: Celery with Redis (docs/operations.md, "Background jobs") ---------------------------------
# Every task is acknowledged only when it has finished; a task whose worker died is delivered again once the
# visibility timeout has passed, so the timeout is longer than any task may run (the hard time limit).
REDIS_URL = _env("REDIS_URL") or "redis://127.0.0.1:6379/0"
CELERY_BROKER_URL = _env("CELERY_BROKER_URL") or REDIS_URL
CELERY_RESULT_BACKEND = _env("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL
JOB_VISIBILITY_TIMEOUT = int(_env("JOB_VISIBILITY_TIMEOUT") or 3600)  # seconds
# How often a worker looks for tasks whose visibility timeout has passed, to deliver them again (seconds).
JOB_RESTORE_SWEEP = int(_env("JOB_RESTORE_SWEEP") or 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": JOB_VISIBILITY_TIMEOUT,
                                   "unacked_restore_interval": JOB_RESTORE_SWEEP, "unacked_restore_throttle": 1}
# The result backend holds only the progress a running import or package reports (the jobs' outcomes are in
# the database): no task's result is kept, and a backend that does not answer costs a page one short retry.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "interval_start": 0,
                                                            "interval_step": 0.2, "interval_max": 0.5}}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_TASK_TIME_LIMIT = max(1, int(JOB_VISIBILITY_TIMEOUT * 0.8))
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = _env("JOB_QUEUE") or "apa"
CELERY_RESULT_EXPIRES = timedelta(days=7)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE_FILENAME = _env("JOB_BEAT_SCHEDULE") or str(BASE_DIR / "build" / "celerybeat-schedule")
# How often beat records publications whose time has passed (seconds), and when the alert digest goes out.
JOB_PUBLISH_EVERY = int(_env("JOB_PUBLISH_EVERY") or 60)
JOB_ALERTS_AT = _env("JOB_ALERTS_AT") or "07:00"  # HH:MM, UK time, every day

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
