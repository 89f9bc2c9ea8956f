"""Settings for the test suite: SQLite in memory unless DATABASE_URL says otherwise.

The second CI pass sets DATABASE_URL and REDIS_URL so the same tests run against
PostgreSQL and Redis.
"""

from config.env import env_str
from rehearse.oauth.keys import rsa_private_key_pem

from .base import *  # noqa: F403
from .base import OAUTH2_PROVIDER, REST_FRAMEWORK

DEBUG = False
SECRET_KEY = "test-only-secret-key-long-enough-for-hs256-and-for-hs512-signing-too"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Hashing with Argon2 would dominate the run time of the suite.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if not env_str("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

# A throwaway ID token key, made once per test process (about 0.1 s); loopback http
# redirect URIs allowed, as in local settings, for the live-server tests.
OAUTH2_PROVIDER = {
    **OAUTH2_PROVIDER,
    "OIDC_RSA_PRIVATE_KEY": env_str("OIDC_RSA_PRIVATE_KEY") or rsa_private_key_pem(),
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
}

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
