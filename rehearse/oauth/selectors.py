"""Reads for OAuth2: what a client may learn about a token (RFC 7662 introspection)."""

from __future__ import annotations

import hashlib
from typing import Any

from oauth2_provider.models import AbstractApplication, get_access_token_model


def access_token_introspect(*, token: str, client: AbstractApplication) -> dict[str, Any]:
    """The RFC 7662 answer about ``token`` for ``client``.

    A client learns only about its own tokens: any other token, like an unknown,
    expired or revoked one, is just ``{"active": false}``. The user is named by id
    (``sub``, as in its ID tokens), not by email, which needs the email scope.
    """
    checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
    access_token = (
        get_access_token_model()
        .objects.select_related("user")
        .filter(token_checksum=checksum, application=client)
        .first()
    )
    if access_token is None or not access_token.is_valid():
        return {"active": False}
    if access_token.user is not None and not access_token.user.is_active:
        return {"active": False}
    answer: dict[str, Any] = {
        "active": True,
        "scope": access_token.scope,
        "client_id": client.client_id,
        "token_type": "Bearer",
        "exp": int(access_token.expires.timestamp()),
        "iat": int(access_token.created.timestamp()),
    }
    if access_token.user_id is not None:
        answer["sub"] = str(access_token.user_id)
    return answer
