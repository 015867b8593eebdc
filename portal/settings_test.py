"""Settings for the test suite: the quick start's defaults, made strict where tests need it.

PostgreSQL when DATABASE_URL is set (CI), an in-memory SQLite database otherwise.
"""

import os

os.environ.setdefault("PORTAL_QUICKSTART", "1")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
os.environ.setdefault("DEBUG", "false")

from portal.settings import *  # noqa: E402,F403

STAFF_MFA_REQUIRED = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
# Payments go through the simulated checkout unless a test configures Stripe or turns it off.
PAYMENTS_SIMULATED = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-private"  # noqa: F405
