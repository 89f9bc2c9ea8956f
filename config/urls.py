"""Top-level URLs: the versioned API, its schema and docs, health checks, admin, pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from rehearse.core import health
from rehearse.core.exceptions import api_aware_handler

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include("rehearse.accounts.api.urls")),
    path("api/v1/", include("rehearse.accounts.api.users")),
    path("api/v1/", include("rehearse.questions.api.urls")),
    path("api/v1/practice/", include("rehearse.practice.api.urls")),
    path("api/v1/katas/", include("rehearse.katas.api.urls")),
    path("api/v1/oauth/", include("rehearse.oauth.api.urls")),
    # rehearse as an OAuth2 / OpenID Connect authorization server; its consent page
    # signs people in with the study pages' login (LOGIN_URL).
    path("o/", include("rehearse.oauth.urls")),
    # Session sign-in pages of the browsable API (same views, cookie + CSRF instead
    # of a bearer token).
    path("api/auth/", include("rest_framework.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
    # The study pages (server-rendered, session + CSRF).
    path("", include("rehearse.web.urls")),
]

handler400 = api_aware_handler(400)
handler403 = api_aware_handler(403)
handler404 = api_aware_handler(404)
handler500 = api_aware_handler(500)
