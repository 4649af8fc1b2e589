"""Liaison's settings, read from environment variables with defaults that run on one machine.

Every knob is documented in docs/operators.md. With nothing set, Liaison uses a SQLite database, writes mail to files
and runs background work in-process, all under ``var/``; secrets it needs are generated once into ``var/``.
"""

from __future__ import annotations

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent

env = environ.Env()

VAR_DIR = Path(env.str("LIAISON_VAR_DIR", default=str(PROJECT_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_from_file(name: str, make: str) -> str:
    """A secret kept in ``var/`` so that a development install keeps its sessions and data across restarts."""
    path = VAR_DIR / name
    if not path.exists():
        # Written aside then linked into place: of two processes starting at once, exactly one key wins.
        tmp = VAR_DIR / f".{name}.{os.getpid()}"
        tmp.write_text(make)
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _secret_from_file("secret_key", secrets.token_urlsafe(50))
# Former SECRET_KEYs (comma separated), newest first: what they signed still verifies (sessions, password-reset links,
# the links of distribution emails, feed addresses) and the address hashes made with them are still found, so a key
# can be rotated without breaking what was sent (docs/operators.md, "Secrets").
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Keys that encrypt protected identities at rest (Fernet keys, comma separated). The first encrypts; all decrypt,
# so a key can be rotated by putting the new one first. Losing them loses every protected identity.
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[]) or [
    _secret_from_file("encryption_key", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
]

DATABASES = {
    # An empty DATABASE_URL counts as unset.
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'liaison.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a writer commits; the busy timeout makes concurrent writers wait, not fail.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "django_countries",
    "liaison.accounts",
    "liaison.federation",
    "liaison.periodicals",
    "liaison.editorial",
    "liaison.translations",
    "liaison.publishing",
    "liaison.search",
    "liaison.conference",
    "liaison.distribution",
    "liaison.exchange",
    "liaison.api",
    "liaison.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "liaison.accounts.middleware.UserLanguageMiddleware",
    "liaison.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liaison.federation.context_processors.federation",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"
LOGOUT_REDIRECT_URL = "federation:overview"

# Password guessing: five failures on one account, or from one address, lock it for a quarter of an hour.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env.str("OTP_ISSUER", default="Liaison")

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("de", _("German")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# The largest PDF of a section's paper issue that may be uploaded for the exchange.
EXCHANGE_PDF_MAX_BYTES = env.int("EXCHANGE_PDF_MAX_BYTES", default=20 * 1024 * 1024)
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# The address readers reach Liaison at, for links in emails (no request is at hand when a worker sends them).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Liaison <liaison@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Behind HTTPS (any real deployment) every cookie is secure and browsers are told to stay on HTTPS.
HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env.bool("SECURE_HSTS_PRELOAD", default=True)
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Machine translation drafts: "none" (the default) or "libretranslate" (any server speaking its HTTP API).
MT_PROVIDER = env.str("MT_PROVIDER", default="none")
MT_URL = env.str("MT_URL", default="")
MT_API_KEY = env.str("MT_API_KEY", default="")
MT_TIMEOUT = env.float("MT_TIMEOUT", default=10)

# Background work: Celery workers fed through Redis when REDIS_URL is set, otherwise run in-process at once.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only when done, so a worker killed mid-task leaves it to be run again, not lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
# Periodic work, run by `celery -A liaison.celery beat` (one beat process per install); without Celery, cron runs
# the matching commands instead (`liaison remind`, `liaison dispatch --due`).
CELERY_BEAT_SCHEDULE = {
    "conference-reminders": {"task": "liaison.conference.tasks.send_reminders_task", "schedule": 60 * 60},
    # Retries whose time has come, and what a stopped worker left, every five minutes (tasks.SWEEP_SECONDS). A sweep
    # still queued when the next one is due is dropped: they would only find each other's work.
    "distribution-sweep": {
        "task": "liaison.distribution.tasks.sweep_dispatches",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# Published editions' files (PDF, EPUB, web pages...), served with permission checks; the static site is exported
# from here by `liaison export-site`.
PUBLISHED_DIR = Path(env.str("PUBLISHED_DIR", default=str(VAR_DIR / "published"))).resolve()
# Folders the PDF renderer reads fonts from (comma-separated), and no others: Debian's font packages by default.
PDF_FONT_DIRS = env.list("PDF_FONT_DIRS", default=["/usr/share/fonts"])
