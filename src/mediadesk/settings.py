"""The one settings file of mediadesk, read from environment variables.

MEDIADESK_ENV picks the mode:

- ``production`` (the default): secure cookies, HSTS, SSL redirect, a SECRET_KEY is required,
  demo logins are refused.
- ``demo``: what ``make demo`` runs: plain HTTP on 127.0.0.1, a generated secret key kept under
  the data directory, demo logins allowed.
- ``test``: the test suite (fast password hashing, demo data allowed, plain HTTP).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent

ENV = os.environ.get("MEDIADESK_ENV", "production").strip().lower()
if ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"MEDIADESK_ENV is {ENV!r}; use 'production', 'demo' or 'test'.")
PRODUCTION = ENV == "production"
DEMO_MODE = ENV in {"demo", "test"}


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("MEDIADESK_DATA_DIR", Path.cwd() / "var")).resolve()


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # Demo and test: keep one generated key per data directory so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "mediadesk.accounts",
    "mediadesk.audit",
    "mediadesk.planning",
    "mediadesk.delivery",
    "mediadesk.vendors",
    "mediadesk.orders",
    "mediadesk.finance",
    "mediadesk.creative",
    "mediadesk.compliance",
    "mediadesk.work",
    "mediadesk.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mediadesk.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mediadesk.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mediadesk.urls"
WSGI_APPLICATION = "mediadesk.wsgi.application"
ASGI_APPLICATION = "mediadesk.asgi.application"

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
                "mediadesk.web.context.navigation",
                "mediadesk.work.context.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite under the data directory by default; DATABASE_URL for PostgreSQL (postgres://...).
DATABASE_URL = os.environ.get("DATABASE_URL", "")


def _databases() -> dict[str, Any]:
    if DATABASE_URL:
        db: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL, conn_max_age=60))
        if db["ENGINE"] == "django.db.backends.postgresql":
            db["CONN_HEALTH_CHECKS"] = True
            db.setdefault("TEST", {})["NAME"] = os.environ.get("MEDIADESK_TEST_DB_NAME")
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db["OPTIONS"] = SQLITE_OPTIONS
        return {"default": db}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "mediadesk.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    }


# WAL lets pages keep reading while an import writes; IMMEDIATE transactions plus a busy timeout
# make writers queue instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":
    # Hashing speed is not what the suite tests; Argon2 stays first everywhere else.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins: after this many failures for one e-mail address (or 4x as many from one
# address) within the window, further attempts are refused until the window passes.
LOGIN_FAILURE_LIMIT = env_int("MEDIADESK_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("MEDIADESK_LOGIN_FAILURE_WINDOW_MINUTES", 15)

# Sessions end after this much inactivity, and in any case this long after login.
SESSION_IDLE_MINUTES = env_int("MEDIADESK_SESSION_IDLE_MINUTES", 120)
SESSION_MAX_HOURS = env_int("MEDIADESK_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("USE_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # /healthz answers the load balancer over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("MEDIADESK_STATIC_ROOT", DATA_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIADESK_MEDIA_ROOT", DATA_DIR / "files"))
# Without collectstatic (demo, tests) WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION or env_bool("MEDIADESK_SERVE_STATIC_FROM_APPS", False)
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
WHITENOISE_AUTOREFRESH = DEBUG

# Creative uploads are streamed to disk (never held in memory) and refused above this size.
CREATIVE_MAX_UPLOAD_BYTES = env_int("MEDIADESK_CREATIVE_MAX_UPLOAD_MB", 2048) * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = os.environ.get("MEDIADESK_UPLOAD_TEMP_DIR") or None
FILE_UPLOAD_HANDLERS = [
    "mediadesk.creative.uploads.UploadSizeLimit",  # stops spooling a file past the limit
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Links in e-mails sent without a request (mentions, reminders): https://mediadesk.example.org
# The demo serves on 127.0.0.1:$PORT, so its e-mails (printed on the console) link there.
_DEMO_SITE = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}" if ENV == "demo" else ""
SITE_URL = os.environ.get("MEDIADESK_SITE_URL", _DEMO_SITE).rstrip("/")

STORAGE_BACKEND = os.environ.get("MEDIADESK_STORAGE", "local")
if STORAGE_BACKEND == "s3":
    _default_storage: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("MEDIADESK_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("MEDIADESK_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MEDIADESK_S3_REGION") or None,
            "querystring_auth": True,
            "default_acl": None,
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"MEDIADESK_STORAGE is {STORAGE_BACKEND!r}; use 'local' or 's3'.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION and not WHITENOISE_USE_FINDERS
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mediadesk <mediadesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if ENV == "test":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)  # seconds; a hung server must not hang a worker
else:
    # Demo, and a team that has not configured mail yet: messages are printed to the console.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Background work --------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if ENV == "test"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# The outbox (work/outbox.py): e-mails and webhook posts are tried this many times, with a
# growing backoff, before they are marked "gave up"; a webhook that has not answered within the
# timeout counts as a failed attempt; a claimed message is sent again by another run only after
# the claim's lease (a worker killed in the middle of sending).
OUTBOX_MAX_ATTEMPTS = env_int("MEDIADESK_OUTBOX_MAX_ATTEMPTS", 8)
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("MEDIADESK_WEBHOOK_TIMEOUT", "10"))
OUTBOX_CLAIM_MINUTES = 10

# --- Cache (login throttling reads the database, so a per-process cache is enough) ------------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 500

# --- Locale ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Off: ids in attributes and form values must never read "1,234". Amounts are grouped where
# they are shown (the money tag, floatformat with "g").
USE_THOUSAND_SEPARATOR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

MEDIADESK_VERSION = "0.1.0"
