"""Production: PostgreSQL, Redis, behind nginx with TLS.

Refuses to start (ImproperlyConfigured) without a secret key, allowed hosts, a
database URL and the OpenID Connect signing key, or with DEBUG on: a misconfigured
server should fail at boot, not serve with a guessable key.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_required, env_str
from rehearse.oauth.keys import checked_rsa_private_key

from .base import *  # noqa: F403
from .base import DEBUG, OAUTH2_PROVIDER, REST_FRAMEWORK, SIMPLE_JWT

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

SECRET_KEY = env_required("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated host names).")

env_required("DATABASE_URL")  # base.py already parsed it; here it must not be the default

# nginx terminates TLS and says so in X-Forwarded-Proto (it overwrites whatever the
# client sent), so request.is_secure() is true behind it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# Tokens can be signed with their own key, so rotating it signs everyone out of the
# API without invalidating sessions and password-reset links (and vice versa).
JWT_SIGNING_KEY = env_str("JWT_SIGNING_KEY") or SECRET_KEY
if len(JWT_SIGNING_KEY) < 50:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must be at least 50 characters long.")
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": JWT_SIGNING_KEY}

# OpenID Connect is on, so ID tokens need an RSA key every app server shares (a key made
# at start would differ per process and JWKS would contradict it).
if OAUTH2_PROVIDER["OIDC_ENABLED"]:
    OAUTH2_PROVIDER = {
        **OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": checked_rsa_private_key(env_required("OIDC_RSA_PRIVATE_KEY")),
    }

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": env_int("NUM_PROXIES", 1)}

SERVER_EMAIL = env_str("SERVER_EMAIL", "rehearse@localhost")
