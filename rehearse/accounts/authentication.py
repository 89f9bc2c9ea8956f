"""Bearer-token authentication that honours revocation.

simplejwt checks the signature, the expiry and that the user is active. On top of
that a token must carry the user's current ``token_version`` (so a password change or
a detected theft kills it) and belong to a session that has not been logged out.
"""

from __future__ import annotations

from typing import Any

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from rehearse.accounts.tokens import SESSION_CLAIM, VERSION_CLAIM, session_revoked


class RevocableJWTAuthentication(JWTAuthentication):
    www_authenticate_realm = "rehearse"

    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)
        if validated_token.get(VERSION_CLAIM) != getattr(user, "token_version", None):
            raise AuthenticationFailed("This token has been revoked; sign in again.")
        if session_revoked(validated_token.get(SESSION_CLAIM)):
            raise AuthenticationFailed("This session has been signed out.")
        return user
