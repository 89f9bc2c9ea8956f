"""The embedded default: SQLite under var/, in-process cache, static files by whitenoise.

Safe only on a developer's machine: DEBUG is on and the secret key is a fixed,
public value.
"""

from config.env import env_bool, env_str
from rehearse.oauth.keys import checked_rsa_private_key, local_rsa_private_key

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, MIDDLEWARE, OAUTH2_PROVIDER, REST_FRAMEWORK, VAR_DIR

# The embedded default keeps its SQLite database and uploads here.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY") or "local-only-insecure-key-do-not-use-in-production"

# whitenoise serves collected static files from the Django process; in production
# nginx does that instead.
INSTALLED_APPS = ["whitenoise.runserver_nostatic", *INSTALLED_APPS]
MIDDLEWARE = [
    *MIDDLEWARE[:2],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[2:],
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ID tokens are signed with a key kept under var/ (made on first start), unless one is
# given; http redirect URIs are allowed on loopback addresses for example clients.
OAUTH2_PROVIDER = {
    **OAUTH2_PROVIDER,
    "OIDC_RSA_PRIVATE_KEY": checked_rsa_private_key(
        env_str("OIDC_RSA_PRIVATE_KEY") or local_rsa_private_key(VAR_DIR / "oidc_rsa_key.pem")
    ),
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
}

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
