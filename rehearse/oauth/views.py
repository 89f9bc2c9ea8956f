"""The server-rendered side of OAuth2: consent and token introspection.

The toolkit's token, revocation, discovery and JWKS views are used as they are
(``rehearse/oauth/urls.py``); these replace the ones whose behaviour rehearse changes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.views import AuthorizationView
from oauthlib.common import Request as OAuthlibRequest
from oauthlib.common import urlencode

from rehearse.oauth.scopes import SCOPES
from rehearse.oauth.selectors import access_token_introspect


class ConsentView(AuthorizationView):
    """The authorization endpoint: a signed-in user allows or denies a client.

    The page names the client, every scope it asks for, and where the user will be
    sent back. It is a form POST with Django's CSRF token, under the session; frames
    are refused (X_FRAME_OPTIONS), so no other site can overlay it.
    """

    template_name = "oauth/authorize.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["scope_items"] = [
            (scope, SCOPES.get(scope, scope)) for scope in kwargs.get("scopes", [])
        ]
        context["redirect_host"] = urlsplit(kwargs.get("redirect_uri") or "").netloc
        return context


@method_decorator(csrf_exempt, name="dispatch")  # clients authenticate, not browsers
class IntrospectView(View):
    """RFC 7662 token introspection, for confidential clients, about their own tokens.

    The toolkit's view lets any authenticated client inspect any token (and accepts
    the token in a GET query string, where logs keep it); here a client authenticates
    with its credentials, POSTs ``token``, and learns about its own tokens only.
    """

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> JsonResponse:
        core = get_oauthlib_core()
        oauth_request = OAuthlibRequest(
            request.build_absolute_uri(),
            http_method="POST",
            body=urlencode(core.extract_body(request)),
            headers=core.extract_headers(request),
        )
        if not core.server.request_validator.authenticate_client(oauth_request):
            return JsonResponse(
                {"error": "invalid_client", "error_description": "Client authentication failed."},
                status=401,
                headers={"WWW-Authenticate": 'Basic realm="rehearse"'},
            )
        token = request.POST.get("token")
        if not token:
            return JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "The token parameter is missing.",
                },
                status=400,
            )
        return JsonResponse(access_token_introspect(token=token, client=oauth_request.client))
