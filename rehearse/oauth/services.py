"""Writes for OAuth2: registering client applications, and tracing authorization codes.

Admins register clients through the admin site or ``/api/v1/oauth/applications/``; both
come here. The rules a registration must follow:

- the grant is the authorization code (with PKCE; for apps acting for a user) or client
  credentials (for a server acting for itself, which must then be confidential);
- a confidential client gets a secret, returned once and stored hashed; a public
  client (a browser or mobile app, which cannot keep one) has none;
- redirect URIs are https (plain http only on a loopback address, where settings allow
  it for development), without fragment, credentials or wildcard: they are compared
  character for character;
- the allowed scopes are rehearse's scopes, and an application acting for itself may
  only read the bank.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    AbstractApplication,
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)
from oauth2_provider.settings import oauth2_settings

from rehearse.accounts.models import User
from rehearse.oauth.models import ClientPolicy, RedeemedCode
from rehearse.oauth.scopes import CLIENT_CREDENTIALS_SCOPES, SCOPES

logger = logging.getLogger(__name__)

Application = get_application_model()

CONFIDENTIAL = AbstractApplication.CLIENT_CONFIDENTIAL
PUBLIC = AbstractApplication.CLIENT_PUBLIC
AUTHORIZATION_CODE = AbstractApplication.GRANT_AUTHORIZATION_CODE
CLIENT_CREDENTIALS = AbstractApplication.GRANT_CLIENT_CREDENTIALS
GRANT_TYPES = (AUTHORIZATION_CODE, CLIENT_CREDENTIALS)
CLIENT_TYPES = (CONFIDENTIAL, PUBLIC)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_REDIRECT_URIS = 10


@dataclass(frozen=True)
class NewApplication:
    application: AbstractApplication
    client_secret: str | None  # in plain text, this once; None for a public client


def _redirect_uri_problem(uri: str) -> str | None:
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018  # parsing the port is where a malformed one fails
    except ValueError:
        return f"{uri} is not a URI."
    loopback_http = (
        parts.scheme == "http"
        and "http" in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
        and parts.hostname in LOOPBACK_HOSTS
    )
    if parts.scheme != "https" and not loopback_http:
        allowed = "https"
        if "http" in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES:
            allowed += ", or http on a loopback address (127.0.0.1, [::1], localhost)"
        return f"{uri} is not allowed: use {allowed}."
    if not parts.hostname:
        return f"{uri} has no host."
    if "#" in uri or "@" in parts.netloc:
        return f"{uri} may not carry a fragment or credentials."
    if "*" in uri or any(char.isspace() for char in uri):
        return f"{uri} may not contain wildcards or spaces: redirect URIs are matched exactly."
    return None


def application_check(
    *,
    client_type: str,
    grant_type: str,
    redirect_uris: Sequence[str],
    allowed_scopes: Sequence[str],
) -> None:
    """Refuse a registration that breaks the rules above, naming the fields at fault."""
    errors: dict[str, list[str]] = {}
    if client_type not in CLIENT_TYPES:
        errors["client_type"] = [f"Choose one of {', '.join(CLIENT_TYPES)}."]
    if grant_type not in GRANT_TYPES:
        errors["grant_type"] = [f"Choose one of {', '.join(GRANT_TYPES)}."]
    if grant_type == CLIENT_CREDENTIALS and client_type != CONFIDENTIAL:
        errors["client_type"] = [
            "Client credentials need a confidential client: one with a secret."
        ]
    uri_errors = [problem for uri in redirect_uris if (problem := _redirect_uri_problem(uri))]
    if grant_type == AUTHORIZATION_CODE and not redirect_uris:
        uri_errors.append("The authorization code grant needs at least one redirect URI.")
    if grant_type == CLIENT_CREDENTIALS and redirect_uris:
        uri_errors.append("Client credentials never redirect: leave redirect URIs empty.")
    if len(redirect_uris) > MAX_REDIRECT_URIS:
        uri_errors.append(f"At most {MAX_REDIRECT_URIS} redirect URIs.")
    if uri_errors:
        errors["redirect_uris"] = uri_errors
    scope_errors = [
        f"{scope} is not a scope of rehearse." for scope in allowed_scopes if scope not in SCOPES
    ]
    if not allowed_scopes:
        scope_errors.append("Allow at least one scope.")
    if grant_type == CLIENT_CREDENTIALS:
        beyond = sorted(set(allowed_scopes) - CLIENT_CREDENTIALS_SCOPES)
        if beyond:
            scope_errors.append(
                "An application acting for itself may only have "
                f"{', '.join(sorted(CLIENT_CREDENTIALS_SCOPES))}, not {', '.join(beyond)}."
            )
    if scope_errors:
        errors["allowed_scopes"] = scope_errors
    if errors:
        raise ValidationError(errors)


def _ordered_scopes(scopes: Sequence[str]) -> str:
    return " ".join(scope for scope in SCOPES if scope in set(scopes))


@transaction.atomic
def application_create(
    *,
    name: str,
    client_type: str,
    grant_type: str,
    redirect_uris: Sequence[str],
    allowed_scopes: Sequence[str],
    by: User,
    client_secret: str | None = None,
) -> NewApplication:
    """Register a client. A confidential client's secret is returned here and only here;
    ``client_secret`` lets the admin form show the secret before it is saved."""
    application_check(
        client_type=client_type,
        grant_type=grant_type,
        redirect_uris=redirect_uris,
        allowed_scopes=allowed_scopes,
    )
    secret = (client_secret or generate_client_secret()) if client_type == CONFIDENTIAL else None
    application = Application(
        name=name,
        user=by,
        client_type=client_type,
        authorization_grant_type=grant_type,
        redirect_uris=" ".join(redirect_uris),
        client_secret=secret or "",
        # Hashed on save (the toolkit's ClientSecretField); a public client has nothing
        # to hash, and an empty stored secret matches no secret a client could send.
        hash_client_secret=secret is not None,
        # Only a user-facing grant has a user to put in an ID token.
        algorithm=(
            AbstractApplication.RS256_ALGORITHM
            if grant_type == AUTHORIZATION_CODE
            else AbstractApplication.NO_ALGORITHM
        ),
        skip_authorization=False,
    )
    application.full_clean()
    application.save()
    ClientPolicy.objects.create(
        application=application, allowed_scopes=_ordered_scopes(allowed_scopes)
    )
    logger.info("OAuth2 application %s (%s) registered by user %s", application.pk, name, by.pk)
    return NewApplication(application=application, client_secret=secret)


@transaction.atomic
def application_update(
    *,
    application: AbstractApplication,
    by: User,
    name: str | None = None,
    redirect_uris: Sequence[str] | None = None,
    allowed_scopes: Sequence[str] | None = None,
) -> AbstractApplication:
    """Rename a client, or change its redirect URIs or scopes (its type and grant stay).

    Taking a scope away revokes the client's tokens: they were granted under the wider
    policy and would otherwise keep it until they expire (a refresh keeps the scopes).
    """
    policy, _ = ClientPolicy.objects.select_for_update().get_or_create(
        application=application, defaults={"allowed_scopes": ""}
    )
    new_uris = (
        list(redirect_uris) if redirect_uris is not None else application.redirect_uris.split()
    )
    new_scopes = list(allowed_scopes) if allowed_scopes is not None else policy.scopes
    application_check(
        client_type=application.client_type,
        grant_type=application.authorization_grant_type,
        redirect_uris=new_uris,
        allowed_scopes=new_scopes,
    )
    if name is not None:
        application.name = name
    application.redirect_uris = " ".join(new_uris)
    application.full_clean()
    application.save()
    narrowed = not set(policy.scopes) <= set(new_scopes)
    policy.allowed_scopes = _ordered_scopes(new_scopes)
    policy.save()
    if narrowed:
        application_revoke_tokens(application=application)
    logger.info("OAuth2 application %s changed by user %s", application.pk, by.pk)
    return application


@transaction.atomic
def application_delete(*, application: AbstractApplication, by: User) -> None:
    """Remove a client; its grants and tokens go with it (foreign keys cascade)."""
    logger.info("OAuth2 application %s deleted by user %s", application.pk, by.pk)
    application.delete()


@transaction.atomic
def application_revoke_tokens(*, application: AbstractApplication) -> None:
    """Every code and token issued to ``application`` stops working now."""
    now = timezone.now()
    get_grant_model().objects.filter(application=application).delete()
    get_refresh_token_model().objects.filter(application=application, revoked__isnull=True).update(
        revoked=now, updated=now
    )
    get_access_token_model().objects.filter(application=application).delete()


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _remember_for() -> timedelta:
    # A replay after the refresh token lifetime finds the grant gone (so it is refused)
    # but nothing of this record left to revoke; the table stays small.
    return timedelta(seconds=oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS or 30 * 86400)


def code_redemption_record(
    *, code: str, application: AbstractApplication, token_family: uuid.UUID | None
) -> bool:
    """Remember that ``code`` was exchanged, for the tokens of ``token_family``.

    False if it already was: another exchange of the same code got there first.
    """
    RedeemedCode.objects.filter(redeemed_at__lt=timezone.now() - _remember_for()).delete()
    try:
        with transaction.atomic():
            RedeemedCode.objects.create(
                code_digest=_digest(code), application=application, token_family=token_family
            )
    except IntegrityError:
        return False
    return True


def code_replay_revoke(*, code: str) -> bool:
    """If ``code`` was exchanged before, revoke every token descended from that exchange.

    Whoever presents it again (whatever client they claim to be) holds a leaked code.
    """
    redeemed = RedeemedCode.objects.filter(code_digest=_digest(code)).first()
    if redeemed is None:
        return False
    get_refresh_token_model().revoke_family(redeemed.token_family)
    logger.warning(
        "an authorization code of OAuth2 application %s was presented again; the tokens "
        "issued for it are revoked",
        redeemed.application_id,
    )
    return True
