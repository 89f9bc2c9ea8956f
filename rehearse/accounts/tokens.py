"""JWT pairs: how they are issued, rotated and revoked.

Every token carries two claims of ours besides simplejwt's:

- ``ver``: the user's ``token_version`` when it was issued. Raising the version (a
  password change, a stolen refresh token) invalidates every earlier token at once.
- ``sid``: the ``jti`` of the refresh token the pair belongs to (a "session"). Logging
  out blacklists that refresh token, which makes its access token useless too,
  although an access token is otherwise valid until it expires.

Refreshing rotates: the old refresh token is blacklisted and a new pair issued. A
blacklisted refresh token presented again means two parties hold it, one of them a
thief; then every token of the user is revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from rehearse.accounts.models import RotatedRefreshToken, User
from rehearse.core import problems
from rehearse.core.exceptions import DomainError

VERSION_CLAIM = "ver"
SESSION_CLAIM = "sid"


class TokenRejected(DomainError):
    status = 401
    problem_type = problems.AUTH_FAILED


class NotYourToken(DomainError):
    """A refresh token in a request body that cannot be this user's."""

    status = 400
    problem_type = problems.VALIDATION

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors={"refresh": [detail]})


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str

    def as_dict(self) -> dict[str, str]:
        return {"access": self.access, "refresh": self.refresh}


def tokens_issue(*, user: User) -> TokenPair:
    """A new pair for ``user``; the refresh token is recorded as outstanding."""
    refresh = RefreshToken.for_user(user)  # records the OutstandingToken row
    refresh[VERSION_CLAIM] = user.token_version
    refresh[SESSION_CLAIM] = refresh[jwt_settings.JTI_CLAIM]
    access = refresh.access_token  # copies ver and sid
    return TokenPair(access=str(access), refresh=str(refresh))


def _decode(raw: str) -> dict[str, Any]:
    from rest_framework_simplejwt.state import token_backend

    try:
        payload: dict[str, Any] = token_backend.decode(raw, verify=True)  # type: ignore[arg-type]
    except TokenBackendError as exc:
        raise TokenRejected("The token is invalid or expired.") from exc
    return payload


def _user_for(payload: dict[str, Any]) -> User:
    try:
        user = User.objects.get(pk=payload[jwt_settings.USER_ID_CLAIM])
    except (KeyError, User.DoesNotExist, ValueError, TypeError):
        raise TokenRejected("The token does not belong to an account.") from None
    if not user.is_active:
        raise TokenRejected("This account is disabled.")
    if payload.get(VERSION_CLAIM) != user.token_version:
        raise TokenRejected("This token has been revoked; sign in again.")
    return user


def user_revoke_all_tokens(*, user: User) -> None:
    """Every token issued to ``user`` so far stops working, access tokens included."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
        outstanding = OutstandingToken.objects.filter(user=user).exclude(
            blacklistedtoken__isnull=False
        )
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
        )
    user.refresh_from_db(fields=["token_version"])


def _blacklist(jti: str) -> bool:
    """Blacklist the refresh token ``jti``; False if it already was (a reuse)."""
    outstanding = OutstandingToken.objects.filter(jti=jti).first()
    if outstanding is None:
        return False
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        return False
    return True


def tokens_refresh(*, raw_refresh: str) -> TokenPair:
    """Rotate: retire the presented refresh token and issue a new pair.

    The unique RotatedRefreshToken row is the lock: of two requests presenting the
    same token, the database lets exactly one insert it. The other is a reuse, and a
    reuse revokes everything the user holds (committed before the 401 is raised). A
    token revoked otherwise (signed out, password changed) is simply refused.
    """
    payload = _decode(raw_refresh)
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh":
        raise TokenRejected("This is not a refresh token.")
    user = _user_for(payload)
    jti = payload[jwt_settings.JTI_CLAIM]
    reused = RotatedRefreshToken.objects.filter(jti=jti).exists()
    if not reused and session_revoked(jti):
        raise TokenRejected("This session has been signed out; sign in again.")
    if reused or not _rotate(jti, user):
        user_revoke_all_tokens(user=user)
        raise TokenRejected(
            "This refresh token was already used. Every session of this account has "
            "been signed out; sign in again."
        )
    _blacklist(jti)
    return tokens_issue(user=user)


def _rotate(jti: str, user: User) -> bool:
    try:
        with transaction.atomic():
            RotatedRefreshToken.objects.create(jti=jti, user=user)
    except IntegrityError:
        return False
    return True


def session_revoked(session_id: str | None) -> bool:
    if not session_id:
        return True
    return BlacklistedToken.objects.filter(token__jti=session_id).exists()


def tokens_logout(*, user: User, raw_refresh: str | None, session_id: str | None) -> None:
    """End the session of the presented refresh token and of the current access token."""
    if raw_refresh:
        try:
            payload = _decode(raw_refresh)
        except TokenRejected:
            raise NotYourToken("This refresh token is invalid or expired.") from None
        if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh" or str(
            payload.get(jwt_settings.USER_ID_CLAIM)
        ) != str(user.pk):
            raise NotYourToken("This is not a refresh token of yours.")
        _blacklist(payload[jwt_settings.JTI_CLAIM])
    if session_id:
        _blacklist(session_id)
