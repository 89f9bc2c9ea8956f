"""Bearer-token authentication that honours revocation.

simplejwt checks the signature, the expiry and that the user is active. On top of
that a token must carry the user's current ``token_version`` (so a password change or
a detected theft kills it) and belong to a session that has not been logged out.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from rehearse.accounts.tokens import SESSION_CLAIM, VERSION_CLAIM, session_revoked

# Three base64url segments: anything else in a Bearer header is not ours to judge.
JWT_SHAPE = re.compile(rb"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class RevocableJWTAuthentication(JWTAuthentication):
    www_authenticate_realm = "rehearse"

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        header = self.get_header(request)
        raw_token = self.get_raw_token(header) if header is not None else None
        if raw_token is not None and not JWT_SHAPE.fullmatch(raw_token):
            # An opaque OAuth2 access token: the OAuth2 class, next in line, decides.
            return None
        return super().authenticate(request)

    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)
        if validated_token.get(VERSION_CLAIM) != getattr(user, "token_version", None):
            raise AuthenticationFailed("This token has been revoked; sign in again.")
        if session_revoked(validated_token.get(SESSION_CLAIM)):
            raise AuthenticationFailed("This session has been signed out.")
        return user


class RevocableJWTScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes bearer JWTs (so clients and fuzzers send them)."""

    target_class = RevocableJWTAuthentication
    name = "jwtAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from POST /api/v1/auth/token/.",
        }
