"""Settings for the buyer portal, read only from the environment (see .env.example).

`PORTAL_QUICKSTART=1` (set by `make run`) selects the embedded default: a SQLite file, Celery
tasks run inline, emails written to the outbox and to var/mail, SMS printed to the console,
simulated payments. Everything else must be configured explicitly.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

QUICKSTART = env_bool("PORTAL_QUICKSTART", False)
DEBUG = env_bool("DEBUG", QUICKSTART)

# Public, in this file: `check --deploy` reports an error when a server runs with it.
QUICKSTART_SECRET_KEY = "quickstart-only-insecure-key-never-used-in-production"

if QUICKSTART:
    # The quick start keeps its database, mail and cache in var/; a fresh clone has none yet.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    SECRET_KEY = env_str("SECRET_KEY", QUICKSTART_SECRET_KEY)
else:
    SECRET_KEY = env_str("SECRET_KEY", "")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or run the quick start (make run)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Where links in emails and SMS point. The quick start's default follows the port it serves on
# (`PORT=8123 make run`); a server sets SITE_URL.
_QUICKSTART_PORT = env_int("PORT", 8000) if QUICKSTART else 8000
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{_QUICKSTART_PORT}").rstrip("/")

INSTALLED_APPS = [
    "portal.admin_site.PortalAdminConfig",  # django.contrib.admin, see portal/admin_site.py
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
    "allauth.usersessions",
    "django_htmx",
    "portal",
    "portal.users",
    "portal.audit",
    "portal.branding",
    "portal.texts",
    "portal.outbox",
    "portal.alerts",
    "programmes",
    "sales",
    "payments",
    "schedules",
    "space",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.RequestContextMiddleware",
    "portal.middleware.UserLanguageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "portal.middleware.StaffSessionLimitMiddleware",
    "portal.middleware.StaffMfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.branding.context_processors.branding",
            ],
        },
    },
]

# Database: PostgreSQL in production and CI, a SQLite file only for the quick start.
_default_db = f"sqlite:///{VAR_DIR / 'portal.sqlite3'}" if QUICKSTART else None
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)}
# SQLite (the quick start): writers queue instead of failing, and the write-ahead log lets pages
# read while a batch writes, with one sync per checkpoint rather than per commit.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif QUICKSTART:
    # A file cache is shared by every process of the quick start, so rate limits hold.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
else:
    raise ImproperlyConfigured("REDIS_URL is not set: the cache, rate limits and Celery need Redis.")

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "portal.users.backends.CachedPermissionsBackend",  # Django's ModelBackend, permissions cached
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email only, no usernames; verification; login by code; rate limits.
ACCOUNT_ADAPTER = "portal.users.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
    "signup": "20/m/ip",
}
# How many reverse proxies of ours stand in front of the portal (0: none, X-Forwarded-For is
# ignored). portal.request_context reads it for the audit trail and, through the account
# adapter, for the login rate limits; allauth's own setting follows the same value.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Buyer portal")
# Tracking "last seen" costs five queries on every request; the sessions page does without it.
USERSESSIONS_TRACK_ACTIVITY = False

# Staff must have TOTP before any admin page opens; only the quick start may relax this.
STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", not QUICKSTART) if QUICKSTART else True
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
STAFF_SESSION_MAX_SECONDS = env_int("STAFF_SESSION_MAX_SECONDS", 12 * 60 * 60)
# Sent emails and SMS keep their text this many days, then only who, when and the subject stay.
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 90)
# How long a buyer's "send access" link stays valid.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
# How many self-service reservation requests (options) one buyer may have pending at once.
SELF_SERVICE_OPTIONS_MAX = env_int("SELF_SERVICE_OPTIONS_MAX", 1)
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("pl", _("Polish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "private"  # never served directly: downloads go through checked views

_s3_bucket = env_str("S3_BUCKET", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if _s3_bucket:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3_bucket,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Email: SMTP when configured; the quick start writes each message to var/mail.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Buyer portal <no-reply@portal.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
elif QUICKSTART:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
else:
    raise ImproperlyConfigured("EMAIL_HOST is not set: the portal needs an SMTP server to send email.")

# SMS: one interface, "console" for development, "twilio" in production.
SMS_BACKEND = env_str("SMS_BACKEND", "console")
SMS_SENDER = env_str("SMS_SENDER", "")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
if SMS_BACKEND not in {"console", "twilio"}:
    raise ImproperlyConfigured(f"SMS_BACKEND must be console or twilio, not {SMS_BACKEND!r}.")
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and SMS_SENDER):
    raise ImproperlyConfigured(
        "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and SMS_SENDER."
    )

# Stripe takes card and debit payments when its keys are set. Without them, the quick start and
# the tests use the simulated checkout (PAY-11); anywhere else a payment is a bank transfer only.
PAYMENTS_SIMULATED = QUICKSTART
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
    # Without it every event Stripe sends would be refused, and payments would never turn paid.
    raise ImproperlyConfigured("STRIPE_SECRET_KEY is set: set STRIPE_WEBHOOK_SECRET too (whsec_…).")

# Celery: tasks inline only in the quick start; otherwise a Redis broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
# Redis redelivers an unacknowledged task after the visibility timeout: keep it above the
# longest task's hard time limit so a slow task is never run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TIMEZONE = TIME_ZONE

# Security: production values; `manage.py check --deploy` stays clean with them.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

LOG_LEVEL = env_str("LOG_LEVEL", "")
# The quick start's console is for the server's own lines and the demo logins: the PDF renderer
# and its font subsetter narrate every page, the inline Celery tasks every run, and the in-memory
# broker warns that it has no host. Quiet there unless LOG_LEVEL is set.
_QUICKSTART_QUIET = {"weasyprint": "WARNING", "fontTools": "WARNING", "celery": "WARNING", "kombu": "ERROR"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL or "INFO"},
    "loggers": {
        name: {"level": level} for name, level in _QUICKSTART_QUIET.items() if QUICKSTART and not LOG_LEVEL
    },
}

ACCOUNT_FORMS = {"login": "portal.users.forms.LoginForm"}
