"""Settings of the benchmark: the quick start's, served like production, on the bench database.

The database is a SQLite file under var/bench/ unless BENCH_DATABASE_URL names another one
(for example postgres://postgres@127.0.0.1:5432/portal_bench). It is never the portal's own.
"""

import os
import warnings

import dj_database_url

os.environ["PORTAL_QUICKSTART"] = "1"
os.environ["DEBUG"] = "false"

from portal.settings import *  # noqa: E402,F403
from portal.settings import BASE_DIR, SQLITE_OPTIONS, TEMPLATES, VAR_DIR  # noqa: E402

BENCH_DIR = VAR_DIR / "bench"
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"

DATABASES = {"default": dj_database_url.parse(BENCH_DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The quick start's SQLite configuration, unchanged.
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]

# Staff open the admin without a second factor (allowed in the quick start only); plain HTTP.
STAFF_MFA_REQUIRED = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Per-process memory cache (closest to Redis in cost), sessions kept in the database and read
# through the cache as production does with Redis, inline tasks, no static manifest to collect:
# the load asks for pages only.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = BENCH_DIR / "private"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
warnings.filterwarnings("ignore", "No directory at", UserWarning)  # WhiteNoise: no collected static files
