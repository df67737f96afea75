"""Tailorkit settings: the one settings file.

Everything is read from environment variables; the defaults give a working single-machine
install on an embedded SQLite database in ``./data`` (see README and docs/deploy.md).
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("TAILORKIT_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


# Example values that must never run a real instance: whoever has read the documentation (or
# Django's project template) could sign sessions and password-reset links with them.
PLACEHOLDER_SECRET_KEYS = ("replace-with", "change-me", "changeme", "django-insecure", "your-secret-key",
                           "secret-key-here", "not-secret", "example")


def _secret_key():
    # A self-hosted instance must not ship a shared default key: when SECRET_KEY is not set we
    # create a random one once and keep it in the data folder, so sessions survive restarts.
    if env("SECRET_KEY"):
        key = env("SECRET_KEY")
        if any(marker in key.lower() for marker in PLACEHOLDER_SECRET_KEYS):
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                "SECRET_KEY is an example value, not a secret. Make one with: "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(64))' (or leave SECRET_KEY unset "
                "to have Tailorkit create and keep one in its data folder).")
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

# Instance setting: sign-up is by invitation only unless the administrator opens it.
TAILORKIT_OPEN_SIGNUP = env_bool("TAILORKIT_OPEN_SIGNUP", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "template_partials",
    "django_htmx",
    "csp",
    "tailorkit.core",
    "tailorkit.library",
    "tailorkit.projects",
    "tailorkit.consultations",
    "tailorkit.measures",
    "tailorkit.support",
    "tailorkit.api",
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
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "tailorkit.core.middleware.CurrentOrganisationMiddleware",
]

ROOT_URLCONF = "tailorkit.urls"
WSGI_APPLICATION = "tailorkit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tailorkit" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tailorkit.core.context_processors.tailorkit",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default (WAL, busy timeout, IMMEDIATE transactions so writers queue instead of
# failing with "database is locked"); DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tailorkit.sqlite3'}"),
        # Persistent connections in production; none under pytest, where the live-server thread's
        # connection would otherwise keep the test database busy at teardown.
        conn_max_age=0 if "pytest" in sys.modules else int(env("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend whose writers queue on a file lock beside the database instead of
    # sleeping in SQLite's busy handler (tailorkit/core/sqlite/base.py says why).
    DATABASES["default"]["ENGINE"] = "tailorkit.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests run on an in-memory database, as with Django's own backend (pytest-django only knows that
    # backend by name, and would otherwise name a test database after the file's path).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache shared by every app process (login rate limits, used TOTP codes) without another service.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tailorkit_cache"},
    # Drawn charts (tailorkit.core.charts), in their own table so they never crowd out the above.
    "charts": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tailorkit_chart_cache",
               "OPTIONS": {"MAX_ENTRIES": 5000}},
    # Results kept between views (consultations.selectors: counts and answer ids, never words), in their
    # own table so that many consultations viewed never crowd the login and link rate limits out of
    # "default".
    "results": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tailorkit_results_cache",
                "OPTIONS": {"MAX_ENTRIES": 5000}},
    # PDFs of project summaries, made by the worker and served by the request (projects.services.summary):
    # their own table, as they are large and must not crowd out the others.
    "pdfs": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tailorkit_pdf_cache",
             "OPTIONS": {"MAX_ENTRIES": 500}},
}

# --- Accounts (django-allauth) ---------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "projects:home"  # the personal home page, "/"
ACCOUNT_ADAPTER = "tailorkit.core.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "tailorkit.core.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tailorkit] "
# How many reverse proxies of ours stand before the app (0: clients connect directly). The client's
# address is then read from X-Forwarded-For (tailorkit/core/net.py, docs/deploy.md): by allauth's
# sign-in limits (through core.adapters.AccountAdapter), the respondent limits and the audit log.
TAILORKIT_TRUSTED_PROXIES = max(0, int(env("TAILORKIT_TRUSTED_PROXIES", "0")))
ALLAUTH_TRUSTED_PROXY_COUNT = TAILORKIT_TRUSTED_PROXIES
# Login attempts are rate limited by allauth (per client address and per account).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_FAILED_RATE", "10/m/ip,5/5m/key"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tailorkit"
# Accept the code of the period before and after the current one (RFC 6238 section 5.2 allows for
# this): a phone clock a few seconds off, or a code typed as its 30 seconds run out, still works.
# Each code is still accepted only once.
MFA_TOTP_TOLERANCE = 1

# --- Email: console by default, SMTP when EMAIL_HOST is set ----------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Tailorkit <tailorkit@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Background tasks -------------------------------------------------------------------------
# A database-backed queue worked by `manage.py worker` (django-tasks-db's db_worker, kept going
# through database outages). Under pytest tasks run immediately (pytest-django imports these
# settings before any conftest could set an environment variable).
RUNNING_TESTS = "pytest" in sys.modules
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("TAILORKIT_TASKS_IMMEDIATE", RUNNING_TESTS)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
# Finished task rows (arguments, results, tracebacks) are deleted after this many days, by the
# daily job that `manage.py schedule_periodic` queues.
TAILORKIT_TASK_RESULT_DAYS = int(env("TAILORKIT_TASK_RESULT_DAYS", "7"))
# A project import "running" with no sign of life for this long lost its worker and is queued again.
TAILORKIT_IMPORT_STALE_SECONDS = int(env("TAILORKIT_IMPORT_STALE_SECONDS", "120"))

# --- Stakeholder consultations ----------------------------------------------------------------
# Personal email addresses are deleted this many days after a consultation closes.
TAILORKIT_CONSULTATION_EMAIL_RETENTION_DAYS = int(env("TAILORKIT_CONSULTATION_EMAIL_RETENTION_DAYS", "30"))
# Respondent links and access codes, per minute from one client address: failed attempts (links
# that do not work, wrong codes) are held tight against guessing; links that work, loosely, so a
# whole clinic behind one address can answer at once.
TAILORKIT_CONSULTATION_RATE_LIMIT = int(env("TAILORKIT_CONSULTATION_RATE_LIMIT", "20"))
TAILORKIT_CONSULTATION_OPENINGS_LIMIT = int(env("TAILORKIT_CONSULTATION_OPENINGS_LIMIT", "1200"))

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
FORMAT_MODULE_PATH = ["tailorkit.formats"]  # English dates as "3 Mar 2026" (tailorkit/formats/en)
LANGUAGES = [("en", _("English")), ("de", _("German")), ("nl", _("Dutch")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "tailorkit" / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list binds every subdomain for years: that is the operator's
# decision (docs/deploy.md), so the deploy check does not nag about it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A server error is logged with its path, which may hold a link's token: masked.
    "filters": {"redact_secrets": {"()": "tailorkit.core.redaction.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
