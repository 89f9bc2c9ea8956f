"""OpenID Connect documents and claims, RFC 8414 metadata, RFC 7662 introspection."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from jwcrypto import jwk

from rehearse.accounts.models import User
from rehearse.oauth import services
from rehearse.oauth.scopes import SCOPES
from rehearse.oauth.tests.conftest import basic_auth, form, make_token

pytestmark = pytest.mark.django_db


def test_discovery_document_describes_what_rehearse_accepts() -> None:
    document = Client().get("/o/.well-known/openid-configuration").json()
    assert document["issuer"] == "http://testserver/o"
    assert document["authorization_endpoint"] == "http://testserver/o/authorize/"
    assert document["token_endpoint"] == "http://testserver/o/token/"
    assert document["jwks_uri"] == "http://testserver/o/.well-known/jwks.json"
    assert document["userinfo_endpoint"] == "http://testserver/o/userinfo/"
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert "RS256" in document["id_token_signing_alg_values_supported"]
    assert set(document["scopes_supported"]) == set(SCOPES)
    assert {"sub", "name", "email", "zoneinfo"} <= set(document["claims_supported"])


def test_authorization_server_metadata_lists_revocation_and_introspection() -> None:
    document = Client().get("/o/.well-known/oauth-authorization-server").json()
    assert document["revocation_endpoint"] == "http://testserver/o/revoke_token/"
    assert document["introspection_endpoint"] == "http://testserver/o/introspect/"
    assert document["grant_types_supported"] == [
        "authorization_code",
        "client_credentials",
        "refresh_token",
    ]
    assert document["code_challenge_methods_supported"] == ["S256"]


def test_jwks_publishes_the_public_half_of_the_configured_key() -> None:
    keys = Client().get("/o/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1
    published = keys[0]
    assert (published["kty"], published["alg"], published["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in published  # no private part
    configured = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
    assert published["n"] == json.loads(configured.export_public())["n"]
    assert published["kid"] == configured.thumbprint()


@pytest.mark.parametrize(
    ("scope", "claims"),
    [
        ("openid", {"sub"}),
        ("openid profile", {"sub", "name", "zoneinfo"}),
        ("openid email", {"sub", "email"}),
    ],
)
def test_userinfo_releases_each_claim_with_its_scope(
    public_app: Any, learner: User, scope: str, claims: set[str]
) -> None:
    token = make_token(public_app, learner, scope)
    response = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert set(response.json()) == claims
    assert response.json()["sub"] == str(learner.pk)


def test_userinfo_refuses_a_deactivated_account(public_app: Any, learner: User) -> None:
    token = make_token(public_app, learner, "openid profile")
    User.objects.filter(pk=learner.pk).update(is_active=False)
    response = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


# -- introspection -------------------------------------------------------------------


def introspect(token: str, app: services.NewApplication | None, **headers: Any) -> Any:
    auth = basic_auth(app.application.client_id, app.client_secret or "") if app else {}
    return Client().post("/o/introspect/", **form({"token": token}), **auth, **headers)


def test_a_client_introspects_its_own_token(
    confidential_app: services.NewApplication, learner: User
) -> None:
    token = make_token(confidential_app.application, learner, "openid practice:read")
    answer = introspect(token, confidential_app).json()
    assert answer["active"] is True
    assert answer["scope"] == "openid practice:read"
    assert answer["client_id"] == confidential_app.application.client_id
    assert answer["sub"] == str(learner.pk)
    assert answer["token_type"] == "Bearer"
    assert answer["exp"] > answer["iat"]
    assert learner.email not in json.dumps(answer)  # the email needs the email scope


def test_another_clients_token_is_not_active_for_it(
    confidential_app: services.NewApplication, make_app: Any, learner: User
) -> None:
    other = make_app(client_type=services.CONFIDENTIAL, name="Other Server").application
    token = make_token(other, learner, "practice:read")
    assert introspect(token, confidential_app).json() == {"active": False}
    assert introspect("no-such-token", confidential_app).json() == {"active": False}


def test_introspection_needs_client_credentials(
    confidential_app: services.NewApplication, public_app: Any, learner: User
) -> None:
    token = make_token(confidential_app.application, learner, "practice:read")
    assert introspect(token, None).status_code == 401
    public = services.NewApplication(application=public_app, client_secret=None)
    assert introspect(token, public).status_code == 401
    # A bearer token is not client authentication.
    response = introspect(token, None, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_introspection_is_post_only(confidential_app: services.NewApplication) -> None:
    assert Client().get("/o/introspect/?token=x").status_code == 405
