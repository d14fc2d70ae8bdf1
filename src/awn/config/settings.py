"""Awn settings: every deployment setting comes from an environment variable read here.

docs/configuration.md lists them all; keep that table and this file in step.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/awn


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# pytest (>= 8.2) sets PYTEST_VERSION: tests run with fast hashing, in-memory mail and immediate jobs.
TESTING = env_bool("AWN_TESTING", False) or bool(os.environ.get("PYTEST_VERSION"))
if TESTING and not os.environ.get("AWN_HOME"):
    import tempfile

    os.environ["AWN_HOME"] = tempfile.mkdtemp(prefix="awn-test-")
AWN_HOME = Path(env_str("AWN_HOME", str(Path.cwd() / "var"))).resolve()
try:
    # The job queue (SQLite), the secret key and uploaded files live here: it must exist before apps load.
    AWN_HOME.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ImproperlyConfigured(f"AWN_HOME ({AWN_HOME}) cannot be created: {exc.strerror}") from exc
DEBUG = env_bool("AWN_DEBUG", False)


def _secret_key() -> str:
    key = env_str("AWN_SECRET_KEY")
    if key:
        return key
    # Embedded installs keep a generated key beside their data so sessions survive restarts.
    key_file = AWN_HOME / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    from django.core.management.utils import get_random_secret_key

    AWN_HOME.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("AWN_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("AWN_CSRF_TRUSTED_ORIGINS", [])
AWN_BASE_URL = env_str("AWN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
AWN_REDIS_URL = env_str("AWN_REDIS_URL")
AWN_HTTP_THREADS = env_int("AWN_HTTP_THREADS", 8)  # threads serving HTTP requests in each web process

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "channels",
    "ninja",  # serves Swagger UI from our own static files: /api/docs works offline
    "awn.core",
    "awn.accounts",
    "awn.tickets",
    "awn.search",
    "awn.desk",
    "awn.portal",
    "awn.knowledge",
    "awn.api",
    "awn.realtime",
    "awn.outbox",
    "awn.connectors.chat",
    "awn.connectors.email",
    "awn.calendars",
    "awn.automation",  # before routing: rules run before assignment on arrival (event handler order)
    "awn.routing",
    "awn.sla",
    "awn.surveys",
    "awn.reports",  # last: its handlers read what the other apps recorded for the same event
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "awn.core.nul.NulFreeQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "awn.core.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "awn.core.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "awn.config.urls"
ASGI_APPLICATION = "awn.config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "awn.core.context_processors.awn",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("AWN_DATABASE_URL", f"sqlite:///{AWN_HOME / 'awn.sqlite3'}")
if TESTING and env_str("AWN_TEST_DATABASE_URL"):
    DATABASE_URL = env_str("AWN_TEST_DATABASE_URL")
# awn run serves HTTP from a fixed pool of threads (config/wsgi_pool.py) that keep their connections. Not
# in tests: a connection kept by a server thread of one test would outlive the test database.
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("AWN_DB_CONN_MAX_AGE", 0 if TESTING else 300))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions: readers never block the writer, writers queue instead of failing. The
    # backend queues writers of every process on a lock file, woken as soon as the writer before them is done
    # (core/sqlite/base.py); SQLite's busy timeout stays for writers outside Awn.
    _db["ENGINE"] = "awn.core.sqlite"
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "queue_writers": env_bool("AWN_SQLITE_QUEUE_WRITERS", True),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
        ),
    }
    _db["TEST"] = {"NAME": str(AWN_HOME / "test.sqlite3")} if env_bool("AWN_TEST_SQLITE_FILE") else {}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, knowing the 65,535-value limit of a statement bound on the server (core/postgresql).
    _db["ENGINE"] = "awn.core.postgresql"
    _db.setdefault("OPTIONS", {})
    # Server-side binding: the SQL and its values go separately, and psycopg prepares a statement once a
    # connection has run the same SQL 5 times (prepare_threshold; Django turns prepared statements off by
    # default), so PostgreSQL parses Awn's hot statements once per kept connection (docs/performance.md).
    # Plans stay custom, made for each run's values: PostgreSQL's generic plans (one for any values, tried
    # after five runs) saved more on API creation but made the desk's inbox list 5x slower (26 ms against
    # 5 ms). Off for a pooler in transaction mode, which cannot keep a connection's prepared statements.
    if env_bool("AWN_DB_SERVER_SIDE_BINDING", True):
        options = _db["OPTIONS"]
        options.update(server_side_binding=True, prepare_threshold=5)
        options["options"] = f"{options.get('options', '')} -c plan_cache_mode=force_custom_plan".strip()
else:
    raise ImproperlyConfigured("AWN_DATABASE_URL must be a sqlite:// or postgres:// URL")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channel layer, jobs -------------------------------------------------------------------
if AWN_REDIS_URL:
    CACHES = {"default": {"BACKEND": "awn.core.cache.RedisCache", "LOCATION": AWN_REDIS_URL}}
    # The layer waits on Redis with 5-second blocking pops; redis-py 8 reads with a 5-second socket timeout
    # by default, so an idle socket's wait would fail just as Redis answers "nothing yet". Give it room.
    _CHANNEL_REDIS = {"address": AWN_REDIS_URL, "socket_timeout": 15}
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [_CHANNEL_REDIS]}}
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "awn",
        "url": AWN_REDIS_URL,
        "immediate": TESTING,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "awn.realtime.layers.SweepingInMemoryChannelLayer"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "awn",
        "filename": str(AWN_HOME / "jobs.sqlite3"),
        "immediate": TESTING,
    }

# --- Auth ----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["awn.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests exercise hashing through MD5 to stay fast.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
AWN_LOGIN_MAX_FAILURES = env_int("AWN_LOGIN_MAX_FAILURES", 5)
AWN_LOGIN_LOCKOUT_SECONDS = env_int("AWN_LOGIN_LOCKOUT_SECONDS", 900)
AWN_MAGIC_LINK_MAX_AGE = env_int("AWN_MAGIC_LINK_MAX_AGE", 900)

# --- Languages and time --------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic")), ("fa", _("Persian"))]
LANGUAGES_BIDI = ["ar", "fa", "he", "ur"]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["awn.core.formats"]  # date formats Django lacks for Arabic
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Files ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = AWN_HOME / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # src/awn/static: the stylesheet and vendored htmx
if TESTING:
    STATIC_ROOT.mkdir(exist_ok=True)  # else WhiteNoise warns on every test request
STORAGES = {
    # Attachments live outside the web root; only awn views serve them, after a visibility check.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(AWN_HOME / "files"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = AWN_HOME / "files"
AWN_MAX_ATTACHMENT_BYTES = env_int("AWN_MAX_ATTACHMENT_MB", 20) * 1024 * 1024
AWN_MAX_ATTACHMENTS = env_int("AWN_MAX_ATTACHMENTS", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Email ---------------------------------------------------------------------------------------
EMAIL_HOST = env_str("AWN_SMTP_HOST")
EMAIL_PORT = env_int("AWN_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("AWN_SMTP_USER")
EMAIL_HOST_PASSWORD = env_str("AWN_SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("AWN_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("AWN_SMTP_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("AWN_FROM_EMAIL", "Awn <support@localhost>")
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # Embedded default: mail is written as .eml files under AWN_HOME/mail, so nothing is lost before SMTP
    # is configured.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(AWN_HOME / "mail")

# --- Email channel and outbox (docs/email.md) ----------------------------------------------------------
AWN_EMAIL_MAX_MESSAGE_BYTES = env_int("AWN_EMAIL_MAX_MESSAGE_MB", 30) * 1024 * 1024  # larger: refused
AWN_EMAIL_DOMAIN = env_str("AWN_EMAIL_DOMAIN")  # right-hand side of our Message-IDs; default: the host
AWN_EMAIL_AUTOREPLY_LIMIT = env_int("AWN_EMAIL_AUTOREPLY_LIMIT", 3)  # automatic mails per sender …
AWN_EMAIL_AUTOREPLY_WINDOW = env_int("AWN_EMAIL_AUTOREPLY_WINDOW_SECONDS", 3600)  # … in this window
AWN_EMAIL_POLL_SECONDS = env_int("AWN_EMAIL_POLL_SECONDS", 60)  # IMAP polling interval (no IDLE)
AWN_OUTBOX_MAX_ATTEMPTS = env_int("AWN_OUTBOX_MAX_ATTEMPTS", 10)
AWN_OUTBOX_RETRY_SECONDS = env_int("AWN_OUTBOX_RETRY_SECONDS", 30)  # first retry; doubles each time
AWN_OUTBOX_MAX_RETRY_SECONDS = env_int("AWN_OUTBOX_MAX_RETRY_SECONDS", 3600)
AWN_OUTBOX_LEASE_SECONDS = env_int("AWN_OUTBOX_LEASE_SECONDS", 300)  # a dead worker's claim runs out


# --- Security ------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
AWN_HTTPS = env_bool("AWN_HTTPS", not DEBUG and AWN_BASE_URL.startswith("https://"))
if AWN_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("AWN_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("AWN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

AWN_CONTACT_RATE_LIMIT = env_int("AWN_CONTACT_RATE_LIMIT", 5)  # requests per IP per 10 minutes
AWN_SIGNUP_RATE_LIMIT = env_int("AWN_SIGNUP_RATE_LIMIT", 10)  # sign-ups, sign-in links per IP per hour
AWN_HELPDESK_NAME = env_str("AWN_HELPDESK_NAME", "Awn")

# --- Chat widget and real time (docs/chat.md) -----------------------------------------------------
AWN_CHAT_MAX_MESSAGE_CHARS = env_int("AWN_CHAT_MAX_MESSAGE_CHARS", 4000)
AWN_CHAT_MAX_FILE_BYTES = env_int("AWN_CHAT_MAX_FILE_MB", 10) * 1024 * 1024
AWN_CHAT_MAX_FRAME_CHARS = env_int("AWN_CHAT_MAX_FRAME_CHARS", 16384)  # one websocket frame
AWN_CHAT_FRAMES_PER_SECOND = env_int("AWN_CHAT_FRAMES_PER_SECOND", 10)  # per connection, bursts of twice that
AWN_CHAT_MESSAGES_PER_MINUTE = env_int("AWN_CHAT_MESSAGES_PER_MINUTE", 30)  # per visitor
AWN_CHAT_IP_MESSAGES_PER_MINUTE = env_int("AWN_CHAT_IP_MESSAGES_PER_MINUTE", 120)  # per IP address
AWN_CHAT_CONNECTIONS_PER_MINUTE = env_int("AWN_CHAT_CONNECTIONS_PER_MINUTE", 60)  # widget sockets per IP
AWN_CHAT_NEW_VISITORS_PER_HOUR = env_int("AWN_CHAT_NEW_VISITORS_PER_HOUR", 100)  # per IP
AWN_CHAT_UPLOADS_PER_HOUR = env_int("AWN_CHAT_UPLOADS_PER_HOUR", 20)  # per visitor
AWN_CHAT_VISITOR_DAYS = env_int("AWN_CHAT_VISITOR_DAYS", 90)  # a visitor token is valid this long

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("AWN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
