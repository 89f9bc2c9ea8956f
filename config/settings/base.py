"""Settings shared by every environment.

Values that differ between environments come from environment variables (see
``config/env.py`` and the configuration table in the README). Nothing here holds a
secret: ``local`` and ``test`` provide throwaway ones, ``production`` refuses to start
without real ones.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext

from config.env import env_bool, env_int, env_list, env_str
from rehearse.oauth.scopes import DEFAULT_SCOPES, SCOPES

# Generic Django classes (QuerySet[Question], ModelAdmin[Topic]) at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("REHEARSE_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "rehearse.core",
    "rehearse.accounts",
    "rehearse.questions",
    "rehearse.practice",
    "rehearse.katas",
    "rehearse.oauth",
    "rehearse.web",
]

MIDDLEWARE = [
    "rehearse.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "rehearse.core.middleware.BodySizeLimitMiddleware",
    "rehearse.core.middleware.QueryTextMiddleware",
    "rehearse.core.conditional.BankConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rehearse.web.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "rehearse.web.middleware.ContentSecurityPolicyMiddleware",
]
# How long a shared cache (nginx) may serve a copy of an anonymous read of the published
# bank: the bound within which an edit reaches every client (rehearse/core/conditional.py).
BANK_CACHE_SECONDS = env_int("BANK_CACHE_SECONDS", 5)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# One URL, two engines: SQLite under var/ for the embedded default, PostgreSQL in
# production and in the second CI pass. Persistent connections save a TCP + auth
# round trip per request; health checks drop a connection the server closed.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'rehearse.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Throttle counters and cached pages must be shared by every worker and every app
# server, so with REDIS_URL set the cache is Redis; the in-process cache is only for
# the single-process embedded default.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "rehearse") or "rehearse",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")

# Request bodies: the API takes small JSON documents, nothing more. Bigger bodies
# are refused with 413 before anything reads them (BodySizeLimitMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 256 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rehearse.core.parsers.JSONParser"],
    # Bearer tokens first: an unauthenticated request then gets 401 with
    # WWW-Authenticate: Bearer (DRF asks the first class for the challenge). Sessions
    # (with CSRF enforced on unsafe methods) serve the browsable API and the pages.
    # The JWT class passes on bearer tokens that are not JWT-shaped to the OAuth2 one,
    # which refuses what it does not know and holds its tokens to their scopes.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rehearse.accounts.authentication.RevocableJWTAuthentication",
        "rehearse.oauth.authentication.OAuth2ScopedAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["rehearse.core.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rehearse.core.pagination.KeysetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "rehearse.core.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "rehearse.core.exceptions.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rehearse.core.throttling.AnonRateThrottle",
        "rehearse.core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON_RATE", "120/min"),
        "user": env_str("THROTTLE_USER_RATE", "600/min"),
        # Per client address, on the endpoints an attacker would hammer.
        "register": env_str("THROTTLE_REGISTER_RATE", "10/h"),
        "token": env_str("THROTTLE_TOKEN_RATE", "20/min"),
        "refresh": env_str("THROTTLE_REFRESH_RATE", "30/min"),
        "password": env_str("THROTTLE_PASSWORD_RATE", "10/h"),
    },
    # The address a throttle sees: only as many X-Forwarded-For hops as there are
    # proxies we run (nginx = 1). Anything further left was written by the client.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Media types are negotiated with the Accept header only: a "?format=" parameter
    # would be an undocumented way to get a 404.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "rehearse API",
    "DESCRIPTION": (
        "Interview question bank, spaced-repetition practice, mock interviews and "
        "graded recursion katas. Every error is RFC 9457 application/problem+json."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package, served by rehearse itself:
    # no CDN, so the docs work offline and under a strict CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rehearse.core.schema.strict_request_bodies",
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        # The API names difficulties by label; the database stores ordered numbers.
        "DifficultyEnum": ["easy", "medium", "hard"],
        "QuestionStatusEnum": "rehearse.questions.models.QuestionStatus",
        "InterviewStatusEnum": "rehearse.practice.models.InterviewStatus",
        "TransitionActionEnum": "rehearse.questions.models.QuestionTransition.Action",
    },
}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["Location", "Retry-After", "X-Request-ID", "ETag"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Failed sign-ins per account (whatever address they come from) before sign-in is
# refused with 429 for the rest of the window.
LOGIN_FAILURE_LIMIT = env_str("LOGIN_FAILURE_LIMIT", "5/15m") or "5/15m"

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    # Rotation and reuse detection are done by rehearse.accounts.tokens.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    # HS256 only: the algorithm is pinned, so "alg": "none" or RS/HS confusion fails.
    "ALGORITHM": "HS256",
    # SIGNING_KEY: SECRET_KEY unless production is given JWT_SIGNING_KEY.
    "ISSUER": env_str("JWT_ISSUER", "rehearse"),
    "AUDIENCE": env_str("JWT_AUDIENCE", "rehearse-api"),
    "LEEWAY": 0,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# rehearse as an OAuth2 / OpenID Connect authorization server (docs/oauth.md). Each
# environment adds OIDC_RSA_PRIVATE_KEY: production from the environment, local and test
# a generated one.
OAUTH2_PROVIDER = {
    "SCOPES": SCOPES,
    "DEFAULT_SCOPES": DEFAULT_SCOPES,
    "SCOPES_BACKEND_CLASS": "rehearse.oauth.validators.ApplicationScopes",
    "OAUTH2_VALIDATOR_CLASS": "rehearse.oauth.validators.RehearseValidator",
    "OAUTH2_SERVER_CLASS": "rehearse.oauth.validators.S256OnlyServer",
    "APPLICATION_ADMIN_CLASS": "rehearse.oauth.admin.ApplicationAdmin",
    "PKCE_REQUIRED": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH2_ACCESS_TOKEN_SECONDS", 3600),
    "ID_TOKEN_EXPIRE_SECONDS": env_int("OAUTH2_ACCESS_TOKEN_SECONDS", 3600),
    # Counted from the expiry of the refresh token's access token (so it slides with use).
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OAUTH2_REFRESH_TOKEN_DAYS", 30) * 86400,
    # Every refresh spends the refresh token; presenting a spent one revokes its family.
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "REQUEST_APPROVAL_PROMPT": "force",
    # https only; local and test settings add http for loopback redirect URIs.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "ALLOW_URI_WILDCARDS": False,
    "OIDC_ENABLED": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
        "client_secret_basic",
        "client_secret_post",
        "none",
    ],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "client_credentials", "refresh_token"],
    "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
        "client_secret_basic",
        "client_secret_post",
        "none",
    ],
    # RFC 9700 (OAuth 2.0 Security BCP), all enforced: no implicit or password grant, no
    # plain PKCE, no token in a query string, `iss` in authorization responses, and
    # tokens stored only as hashes.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
# The toolkit's models, unswapped, named so that migrations of models pointing at them
# (rehearse.oauth) can be generated.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# Pages that need a signed-in session (the consent page too) send a visitor here first.
LOGIN_URL = "web:login"

# The study pages' policy: everything from rehearse itself, nothing inline (see
# rehearse/web/middleware.py). form-action is left out: after the consent page's POST
# the browser must follow the redirect to the client application's own site.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}
CONTENT_SECURITY_POLICY_EXEMPT_PATHS = ["/api/", "/admin/"]
# Shown on a question page as links for its "See it in rehearse: `path`" lines when set,
# e.g. https://github.com/example/rehearse/blob/main (the repository's browsable root).
SOURCE_CODE_URL = env_str("SOURCE_CODE_URL", "")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "rehearse.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}

# Kata submissions are graded synchronously, in a bubblewrap sandbox (docs/katas.md), at
# most GRADER_MAX_CONCURRENT at once per host whatever the number of workers (one core per
# grading): a slot is an flock on a lock file under GRADER_SLOT_DIR, shared by every process
# on the host and freed if one dies. A submission that finds no free slot gets 503 with
# Retry-After. GRADER_BWRAP is the bubblewrap binary; without it nothing is graded.
GRADER_MAX_CONCURRENT = env_int("GRADER_MAX_CONCURRENT", 2)
GRADER_SLOT_DIR = Path(env_str("GRADER_SLOT_DIR") or VAR_DIR / "grader-slots")
GRADER_BWRAP = env_str("GRADER_BWRAP") or "/usr/bin/bwrap"
