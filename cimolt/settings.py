"""CIMoLT settings.

Every setting is read from the environment, with a default that makes a first run work without
any server: SQLite, Celery tasks run eagerly, email printed to the console. Production sets
DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and the EMAIL_* values; with
those, ``manage.py check --deploy`` reports nothing. docs/settings.md lists them all.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    return env(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(env(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "true")
# The development key only ever serves a DEBUG run; production refuses to start without its own.
SECRET_KEY = env("SECRET_KEY") or ("insecure-development-key" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "import_export",
    "common",
    "monitor",
    "servicedesk",
    "benchmark",
    "masterclasses",
    "cimolt",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cimolt.middleware.SessionIdleMiddleware",
    "cimolt.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cimolt.middleware.StaffTwoFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "cimolt.middleware.PrivatePagesMiddleware",
    "cimolt.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "cimolt.urls"
WSGI_APPLICATION = "cimolt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cimolt.context_processors.navigation",
            ],
        },
    },
]

FORM_RENDERER = "cimolt.forms.FormRenderer"

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
# Every request is one transaction: a request that fails half-way writes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default (`make run`, a small installation) under concurrent requests. WAL:
    # readers never wait for the writer. IMMEDIATE: every transaction takes the write lock when
    # it begins, so a second writer waits there for the first (up to SQLITE_BUSY_TIMEOUT
    # seconds) instead of failing with "database is locked" halfway, after it has read. With
    # ATOMIC_REQUESTS this means requests that use the database run one at a time; for more
    # than a few users at once, use PostgreSQL. synchronous=FULL: a transaction that has
    # committed survives a power cut too (NORMAL would be faster and may lose the last ones:
    # an answer the page said was saved).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_BUSY_TIMEOUT", "20"),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
    }
    # The tests' database in a file of its own, not in memory: the browser tests' server
    # answers from other threads, which an in-memory database shares one connection with.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-{os.getpid()}.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DATABASE_PREPARED_STATEMENTS", "true"
):
    # PostgreSQL plans a statement it has seen five times on a connection only once (psycopg's
    # prepared statements, which need its server-side parameter binding): a third of the
    # database's work on an autosave (docs/benchmarks.md). Behind a connection pooler in
    # transaction mode (PgBouncer), which cannot keep prepared statements, set it to false.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits live here, so production shares one across workers) ---------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # A cache that Redis being away does not break: the login rate limits then count in
    # nothing for a while, and every page keeps working (cimolt/cache.py).
    CACHES = {"default": {"BACKEND": "cimolt.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "monitor.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
# Links in "set your password" mails stay valid for three days, and only until used.
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600))

ACCOUNT_ADAPTER = "monitor.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CIMoLT] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Failed logins: at most 10 a minute from one address, and LOGIN_ATTEMPTS_LIMIT per account
# within LOGIN_ATTEMPTS_TIMEOUT seconds; after that the login form refuses until time has passed.
LOGIN_ATTEMPTS_LIMIT = envint("LOGIN_ATTEMPTS_LIMIT", "5")
LOGIN_ATTEMPTS_TIMEOUT = envint("LOGIN_ATTEMPTS_TIMEOUT", "300")
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"10/m/ip,{LOGIN_ATTEMPTS_LIMIT}/{LOGIN_ATTEMPTS_TIMEOUT}s/key",
    # The closing meeting's public registration form: each registration mails its address.
    "closing_meeting_registration": env("CLOSING_MEETING_RATE_LIMIT", "10/h/ip"),
}
MFA_ADAPTER = "monitor.adapters.MFAAdapter"
# Addresses are issued by the service desk and cannot be changed by their owner (the email pages
# are closed in cimolt/urls.py), so allauth's "verify your address first" does not apply.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CIMoLT"
# Service desk, organiser, province and programme admin see many municipalities: they must
# use an authenticator app. Only a local demo may switch this off (see README).
STAFF_REQUIRE_TWO_FACTOR = envbool("STAFF_REQUIRE_TWO_FACTOR", "true")
# `make run` sets DEMO_TOTP_CODE so the demo staff accounts can pass their second factor without
# an app; allauth refuses this setting unless DEBUG is on.
MFA_TOTP_INSECURE_BYPASS_CODE = env("DEMO_TOTP_CODE") or None

# Sessions end after this much inactivity; every request pushes the end further.
# How many reverse proxies stand in front of gunicorn (1 in docker-compose.yml): the client's
# address for rate limits and the audit trail is read from X-Forwarded-For past that many hops.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")

SESSION_COOKIE_AGE = envint("SESSION_IDLE_TIMEOUT", str(30 * 60))
# Not on every request (a write per page): cimolt.middleware.SessionIdleMiddleware saves it when
# it was last saved more than this many seconds ago.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = envint("SESSION_REFRESH_SECONDS", "60")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# --- Security (production values switch on with DEBUG off) --------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
# Cookies only over HTTPS in production. SECURE_COOKIES=false is for a load test over plain
# HTTP on 127.0.0.1 (scripts/loadtest), never for a site that users reach.
SECURE_COOKIES = envbool("SECURE_COOKIES", str(not DEBUG))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, images and fonts from our own origin only; no inline script, no plug-ins,
# no framing, forms only to ourselves (cimolt.middleware.SecurityHeadersMiddleware).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_SSL_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Internationalisation: Dutch first, English complete ----------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files: our own and the NL Design System packages installed by npm -------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nlds/component-library-css", BASE_DIR / "node_modules/@utrecht/component-library-css/dist"),
    ("nlds/design-tokens", BASE_DIR / "node_modules/@utrecht/design-tokens/dist"),
]
# Uploaded evidence is kept here (in evidence/). Confidential: no URL serves this folder; a
# view that checks the municipality sends each file (monitor/views.py, evidence_download).
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "cimolt.storage.StaticFilesStorage"
    },
}
# Evidence files: at most this many megabytes each.
EVIDENCE_MAX_MB = envint("EVIDENCE_MAX_MB", "10")

# --- Email ---------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))  # for the file backend
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
# A mail server that takes the connection and then says nothing gives up after this many
# seconds; the task tries again later (common/tasks.py, MailTask). Well below the broker's
# visibility timeout, so a waiting mail task is never handed to a second worker.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "CIMoLT servicedesk <servicedesk@cimolt.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Shown on every page and in every mail as the place to ask questions.
SERVICE_DESK_EMAIL = env("SERVICE_DESK_EMAIL", "servicedesk@cimolt.example")

# --- Celery: a broker when one is configured, otherwise tasks run in-process ----------------
# Production: Redis (REDIS_URL). `make run` and a small installation: CELERY_BROKER_URL=
# filesystem://, messages as files in CELERY_BROKER_FOLDER, taken by a worker on the same
# machine (scripts/run/embedded.py starts one). With neither (tests, a plain `manage.py`),
# tasks run eagerly in the process that starts them.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Nothing reads a task's return value: every task leaves its result in the database. Not
# storing results also means starting a task never waits on the result store.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task a killed worker had taken goes back on the queue after this many seconds: longer
    # than the hard time limit below, so a slow task is never run twice at once.
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "360"),
    # Starting a task while Redis is away fails within a second or two, and the task waits in
    # the database instead (common/outbox.py); without these a page hangs for seconds.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's file transport, writing each message whole (cimolt/celery.py): the folders are
    # made when first used. A message a worker had taken goes back when the worker stops
    # (Ctrl-C, TERM); one a killed worker had taken is lost, as with Redis without persistence.
    CELERY_BROKER_FOLDER = Path(env("CELERY_BROKER_FOLDER", str(BASE_DIR / "var" / "broker")))
    CELERY_BROKER_TRANSPORT = "cimolt.celery:FilesystemTransport"
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        # How often an idle worker looks for a new message, in seconds.
        "polling_interval": 0.5,
    }
    # Where beat (the worker's --beat under `make run`) remembers when each task last ran.
    CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_BROKER_FOLDER / "beat-schedule")
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
# The periodic tasks, run by `celery beat` (docker-compose.yml's beat service). Each is safe to
# run twice: it remembers whom it has already written to.
CELERY_BEAT_SCHEDULE = {
    # Tasks that could not reach Redis when they were started (common/outbox.py).
    "outbox-relay": {"task": "common.tasks.outbox_relay", "schedule": 60.0},
    "deadline-reminders": {
        "task": "servicedesk.tasks.deadline_reminders_send",
        "schedule": crontab(hour=8, minute=0),
    },
    "masterclass-reminders": {
        "task": "masterclasses.tasks.session_reminders_send",
        "schedule": crontab(hour=8, minute=15),
    },
    "attendee-retention": {
        "task": "masterclasses.tasks.attendees_anonymise",
        "schedule": crontab(hour=3, minute=30),
    },
}

# --- Logging: to stdout, where docker and systemd collect it -------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every PDF at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- CIMoLT --------------------------------------------------------------------------------
# Statistics about fewer municipalities than this are never shown (see DESIGN.md).
MIN_GROUP_SIZE = envint("MIN_GROUP_SIZE", "5")
# Penvoerders who have not submitted get a reminder this many days before the deadline (and
# their extension), once per listed day.
DEADLINE_REMINDER_DAYS = [int(d) for d in env("DEADLINE_REMINDER_DAYS", "14,3").split(",") if d]
# Masterclass attendees get a reminder this many days before their session.
MASTERCLASS_REMINDER_DAYS = envint("MASTERCLASS_REMINDER_DAYS", "3")
# Attendee names, addresses, functions and dietary wishes are anonymised this many days after
# their session (attendance counts per municipality stay).
ATTENDEE_RETENTION_DAYS = envint("ATTENDEE_RETENTION_DAYS", "365")
