"""Writes to accounts: sign-up, sign-in, password changes, profiles."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role, grant_role
from rehearse.accounts.tokens import TokenPair, tokens_issue, user_revoke_all_tokens
from rehearse.core import problems
from rehearse.core.exceptions import DomainError
from rehearse.core.throttling import count_request, parse_rate, reset


class EmailTaken(DomainError):
    status = 400
    problem_type = problems.VALIDATION

    def __init__(self) -> None:
        message = "An account with this email address already exists."
        super().__init__(message, errors={"email": [message]})


class InvalidCredentials(DomainError):
    status = 401
    problem_type = problems.AUTH_FAILED


class TooManyFailedLogins(DomainError):
    status = 429
    problem_type = problems.THROTTLED

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many failed sign-ins for this account. Try again in {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )


@transaction.atomic
def user_register(*, email: str, password: str, **profile: Any) -> User:
    """Create a learner. Passwords go through Django's validators (and Argon2)."""
    email = User.objects.normalize_email(email).lower()
    candidate = User(email=email, **profile)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise PasswordRejected(exc.messages, field="password") from None
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken()
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, **profile)
    except IntegrityError:  # a concurrent sign-up with the same address won the race
        raise EmailTaken() from None
    grant_role(user, Role.LEARNER)
    return user


class PasswordRejected(DomainError):
    status = 400
    problem_type = problems.VALIDATION

    def __init__(self, messages: list[str], *, field: str) -> None:
        super().__init__(" ".join(messages), errors={field: messages})


def _attempts_key(email: str) -> str:
    return f"login-failures:{email.strip().lower()}"


def sign_in_attempt(email: str) -> int | None:
    """Count one sign-in attempt for the account ``email`` names.

    None if it may go on to check the password; otherwise the whole seconds to wait.
    Every door that takes a password (the token API, the session login page) counts
    here, so guesses spread over them still meet one limit.
    """
    limit, window = parse_rate(settings.LOGIN_FAILURE_LIMIT)
    wait = count_request(_attempts_key(email), limit, window)
    return None if wait is None else max(1, math.ceil(wait))


def sign_in_succeeded(email: str) -> None:
    _, window = parse_rate(settings.LOGIN_FAILURE_LIMIT)
    reset(_attempts_key(email), window)


def user_sign_in(*, email: str, password: str) -> TokenPair:
    """Check the password and issue a token pair, limiting attempts per account.

    The per-account limit is what stops a password-guessing attack spread across
    many addresses (or a forged X-Forwarded-For): the counter is keyed by the
    account, not by the client. Every attempt is counted before the password is
    checked, so concurrent guesses cannot all get a check in; a successful sign-in
    clears the count.
    """
    wait = sign_in_attempt(email)
    if wait is not None:
        raise TooManyFailedLogins(wait)
    user = authenticate(email=email, password=password)
    if user is None:
        raise InvalidCredentials("No active account matches this email and password.")
    sign_in_succeeded(email)
    assert isinstance(user, User)
    return tokens_issue(user=user)


@transaction.atomic
def user_change_password(*, user: User, current_password: str, new_password: str) -> TokenPair:
    """Change the password and revoke every token issued before; return a fresh pair."""
    if not user.check_password(current_password):
        raise PasswordRejected(["The current password is wrong."], field="current_password")
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise PasswordRejected(exc.messages, field="new_password") from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user_revoke_all_tokens(user=user)
    return tokens_issue(user=user)


@transaction.atomic
def user_update_profile(*, user: User, **changes: Any) -> User:
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changes))
    return user
