"""Settings for the test suite: SQLite in memory unless DATABASE_URL says otherwise.

The second CI pass sets DATABASE_URL and REDIS_URL so the same tests run against
PostgreSQL and Redis.
"""

from config.env import env_str

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK

DEBUG = False
SECRET_KEY = "test-only-secret-key-that-is-long-enough-for-hs256-signing"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Hashing with Argon2 would dominate the run time of the suite.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if not env_str("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    # The general rates would only get in the way of the tests; the strict scoped
    # rates stay as in production (tests/throttling prove them).
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # type: ignore[dict-item]
        "anon": "100000/min",
        "user": "100000/min",
    },
}
