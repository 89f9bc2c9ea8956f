"""rehearse's rules plugged into django-oauth-toolkit and oauthlib (named in settings).

- ``S256OnlyServer``: PKCE with the S256 method only. oauthlib also accepts ``plain``
  (and assumes it when a client sends no method), which protects nothing against a
  code stolen together with its challenge. The toolkit's
  ``COMPLIANT_BCP_RFC9700_PKCE_METHOD`` only refuses ``plain`` once the user has
  consented; here the authorization request itself is refused.
- ``RehearseValidator``: redirect URIs compared character for character, a public
  client that presents a secret refused, a replayed code revoking what it produced,
  inactive accounts refused, and the OpenID Connect claims of a rehearse user.
- ``ApplicationScopes``: the scopes each application may ask for (its ClientPolicy).
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.models import AbstractApplication, get_grant_model, get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256
from oauthlib.openid import Server

from rehearse.oauth import services
from rehearse.oauth.scopes import CLIENT_CREDENTIALS_SCOPES, DEFAULT_SCOPES, SCOPES

S256_ONLY = {"S256": code_challenge_method_s256}


class CodeAlreadyRedeemed(errors.InvalidGrantError):
    """invalid_grant raised after validation, where oauthlib no longer adds the JSON
    headers of a token response itself (the toolkit passes these on)."""

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
        }


class S256OnlyServer(Server):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The OpenID Connect grants delegate PKCE to the plain OAuth2 grants they wrap.
        for grant in (
            self.auth_grant,
            self.openid_connect_auth.proxy_target,
            self.openid_connect_hybrid.proxy_target,
        ):
            grant._code_challenge_methods = S256_ONLY


class RehearseValidator(OAuth2Validator):
    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        # Exact string comparison (RFC 9700 section 4.1.3): no port leeway for loopback
        # addresses, no case folding of the host.
        return bool(redirect_uri in request.client.redirect_uris.split())

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: AbstractApplication,
        request: Request,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        grant = get_grant_model().objects.filter(code=code, application=client).first()
        if grant is None or grant.redirect_uri != redirect_uri:
            # RFC 6749 section 5.2 calls this invalid_grant (oauthlib says invalid_request).
            raise errors.InvalidGrantError(
                description="The redirect_uri differs from the one of the authorization request.",
                request=request,
            )
        return True

    def authenticate_client(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        authenticated = super().authenticate_client(request, *args, **kwargs)
        client = request.client
        if client is not None and client.client_type == AbstractApplication.CLIENT_PUBLIC:
            # Only a client that presents credentials gets here. A public client has no
            # secret, so whoever sends one is misconfigured or is not that client.
            return False
        return bool(authenticated)

    def validate_code(
        self,
        client_id: str,
        code: str,
        client: AbstractApplication,
        request: Request,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            services.code_replay_revoke(code=code)
            return False
        return bool(request.user.is_active)

    def _create_refresh_token(
        self,
        request: Request,
        refresh_token_code: str,
        access_token: Any,
        previous_refresh_token: Any,
    ) -> Any:
        refresh_token = super()._create_refresh_token(
            request, refresh_token_code, access_token, previous_refresh_token
        )
        # The family is what a replay of the authorization code will revoke.
        request.issued_token_family = refresh_token.token_family
        return refresh_token

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        # oauthlib calls this after the tokens are saved. Two concurrent exchanges of
        # one code both get this far; the unique record lets one of them through.
        family = getattr(request, "issued_token_family", None)
        if not services.code_redemption_record(
            code=code, application=request.client, token_family=family
        ):
            services.code_replay_revoke(code=code)
            get_refresh_token_model().revoke_family(family)
            raise CodeAlreadyRedeemed(request=request)
        try:
            super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)
        except errors.InvalidGrantError:
            get_refresh_token_model().revoke_family(family)
            raise CodeAlreadyRedeemed(request=request) from None

    def validate_refresh_token(
        self,
        refresh_token: str,
        client: AbstractApplication,
        request: Request,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        valid = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        return bool(valid and request.user is not None and request.user.is_active)

    def validate_bearer_token(self, token: str, scopes: list[str], request: Request) -> bool:
        if not super().validate_bearer_token(token, scopes, request):
            return False
        if request.user is not None and not request.user.is_active:
            # A deactivated account's grants are kept (reactivating restores them) but
            # none of them works meanwhile.
            request.oauth2_error = {
                "error": "invalid_token",
                "error_description": "The account of this token is disabled.",
            }
            return False
        return True

    def get_additional_claims(self) -> dict[str, Any]:
        # Request-agnostic (callables): the discovery document can then list the claims.
        # Each is released only with its scope (``oidc_claim_scope``).
        return {
            "name": lambda request: request.user.get_full_name(),
            "zoneinfo": lambda request: request.user.time_zone,
            "email": lambda request: request.user.email,
        }


class ApplicationScopes(BaseScopes):
    """The toolkit's scope source: each application gets what its policy allows."""

    def get_all_scopes(self) -> dict[str, str]:
        return SCOPES

    def get_available_scopes(
        self,
        application: AbstractApplication | None = None,
        request: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> list[str]:
        if application is None:  # the discovery documents: everything rehearse offers
            return list(SCOPES)
        policy = getattr(application, "policy", None)
        allowed = policy.scopes if policy is not None else []
        if application.authorization_grant_type == AbstractApplication.GRANT_CLIENT_CREDENTIALS:
            allowed = [scope for scope in allowed if scope in CLIENT_CREDENTIALS_SCOPES]
        return [scope for scope in allowed if scope in SCOPES]

    def get_default_scopes(
        self,
        application: AbstractApplication | None = None,
        request: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> list[str]:
        available = self.get_available_scopes(application, request)
        return [scope for scope in DEFAULT_SCOPES if scope in available]
