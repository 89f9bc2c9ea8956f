"""OAuth2 bearer tokens on the API, held to the scope table.

Both JWTs and OAuth2 access tokens arrive as ``Authorization: Bearer``. The JWT class
runs first and passes on anything that is not shaped like a JWT; the toolkit's opaque
tokens come here. A bearer token that neither recognises is refused with 401, never
taken for an anonymous request.

Scopes are checked here, during authentication, rather than by a permission class:
every view that authenticates with the default classes passes through this one, while a
permission class would be dropped by any view that declares its own
``permission_classes``. The rule of each endpoint comes from ``rehearse.oauth.scopes``.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import Resolver404, resolve
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.request import Request

from rehearse.core.exceptions import DomainError
from rehearse.core.problems import ProblemType
from rehearse.oauth.scopes import CLIENT_CREDENTIALS_SCOPES, SCOPES, effective_scopes, rule_for

REALM = "rehearse"
INSUFFICIENT_SCOPE = ProblemType(
    "insufficient-scope", "The access token does not carry the scope this request needs."
)
FIRST_PARTY_ONLY = ProblemType(
    "first-party-only", "OAuth2 access tokens cannot be used for this request."
)


class ScopeRefused(DomainError, exceptions.PermissionDenied):  # type: ignore[misc]
    """403 for a valid token that may not do this.

    Also a DRF PermissionDenied so that DRF, seeing it raised during authentication,
    leaves the request anonymous before passing it on to the exception handler.
    """

    status = 403


class InsufficientScope(ScopeRefused):
    problem_type = INSUFFICIENT_SCOPE

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"This request needs the {scope} scope, which this access token was not granted.",
            headers={
                "WWW-Authenticate": (
                    f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}"'
                )
            },
            required_scope=scope,
        )


class FirstPartyOnly(ScopeRefused):
    problem_type = FIRST_PARTY_ONLY

    def __init__(self) -> None:
        detail = (
            "No OAuth2 scope grants this request: it is for rehearse's own apps. Sign in "
            "to rehearse (JWT or session) instead."
        )
        super().__init__(
            detail,
            headers={
                "WWW-Authenticate": (
                    f'Bearer realm="{REALM}", error="insufficient_scope", '
                    f'error_description="{detail}"'
                )
            },
            required_scope=None,
        )


class OAuth2ScopedAuthentication(OAuth2Authentication):
    www_authenticate_realm = REALM

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() != b"bearer":
            return None  # not a bearer token (the JWT class has refused malformed ones)
        result = super().authenticate(request)
        if result is None:
            error = getattr(request, "oauth2_error", {}) or {}
            raise exceptions.AuthenticationFailed(
                error.get("error_description") or "The access token is invalid or has expired."
            )
        user, token = result
        for_user = user is not None
        self._check_scope(request, effective_scopes(token.scope.split(), for_user=for_user))
        # A client-credentials token acts for its application, which is nobody: it sees
        # what an anonymous visitor sees.
        return (user if for_user else AnonymousUser()), token

    @staticmethod
    def _check_scope(request: Request, granted: frozenset[str]) -> None:
        match = getattr(request._request, "resolver_match", None)
        needed = rule_for(match.view_name if match else None).scope_for(request.method or "GET")
        if needed is None:
            raise FirstPartyOnly()
        if needed not in granted:
            raise InsufficientScope(needed)


class OAuth2Scheme(OpenApiAuthenticationExtension):
    """The OpenAPI description: the flows, and on each operation the scope it needs,
    read from the same table as the check above."""

    target_class = OAuth2ScopedAuthentication
    name = "oauth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": (
                "For third-party apps: an access token from rehearse's authorization "
                "server (authorization code with PKCE S256, or client credentials). "
                "See docs/oauth.md."
            ),
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "/o/authorize/",
                    "tokenUrl": "/o/token/",
                    "refreshUrl": "/o/token/",
                    "scopes": SCOPES,
                },
                "clientCredentials": {
                    "tokenUrl": "/o/token/",
                    "scopes": {scope: SCOPES[scope] for scope in sorted(CLIENT_CREDENTIALS_SCOPES)},
                },
            },
        }

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        # Any value fits the path parameters' patterns well enough to find the URL name.
        sample = re.sub(r"{[^}]+}", "1", auto_schema.path)
        try:
            view_name = resolve(sample).view_name
        except Resolver404:
            return []
        scope = rule_for(view_name).scope_for(auto_schema.method)
        return [{self.name: [scope]}] if scope else []  # first-party only: not listed
