"""The whole authorization-code + PKCE flow, as a third-party app does it, over HTTP.

A live rehearse server (pytest-django's ``live_server``); a browser (``requests``) that
signs in through the login page and allows on the consent page, CSRF token and all; and
a real OAuth2 client library (authlib's ``OAuth2Session``) that builds the request,
exchanges the code with its verifier, calls the API, refreshes and revokes. An OpenID
Connect client (authlib's Django integration) validates the ID token against rehearse's
discovery document and JWKS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import BadSignatureError

from rehearse.accounts.models import User
from rehearse.accounts.tests.fixtures import PASSWORD
from rehearse.oauth.tests.conftest import REDIRECT_URI, FormFields

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 10
SCOPE = "openid profile email questions:read practice:read"


@pytest.fixture
def session_of() -> Iterator[Any]:
    """HTTP sessions, closed after the test: a kept-alive connection keeps a live-server
    thread, and its database connection, open past the test (and PostgreSQL then refuses
    to drop the test database)."""
    opened: list[requests.Session] = []

    def make(session: Any) -> Any:
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()


@pytest.fixture
def base(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    # The live server speaks plain HTTP on loopback; authlib refuses that by default.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    return str(live_server.url)


@pytest.fixture
def browser(base: str, learner: User, session_of: Any) -> requests.Session:
    """A browser signed in to rehearse through its login page (a session cookie)."""
    session = session_of(requests.Session())
    page = session.get(f"{base}/accounts/login/", timeout=TIMEOUT)
    fields = FormFields(page.text, "login").fields
    fields.update(username=learner.email, password=PASSWORD, next="/api/docs/")
    signed_in = session.post(
        f"{base}/accounts/login/", data=fields, allow_redirects=False, timeout=TIMEOUT
    )
    assert signed_in.status_code == 302, signed_in.text
    return session


def consent(browser: requests.Session, authorization_url: str) -> str:
    """Open the consent page, allow, and return where rehearse redirects the browser."""
    page = browser.get(authorization_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    assert "Flashcard Buddy" in page.text
    fields = FormFields(page.text, "consent").fields
    assert fields["csrfmiddlewaretoken"]
    response = browser.post(
        page.url, data={**fields, "allow": "Allow"}, allow_redirects=False, timeout=TIMEOUT
    )
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    return location


def test_third_party_app_signs_in_calls_refreshes_and_revokes(
    base: str, browser: requests.Session, public_app: Any, learner: User, session_of: Any
) -> None:
    client = session_of(
        OAuth2Session(
            client_id=public_app.client_id,
            redirect_uri=REDIRECT_URI,
            scope=SCOPE,
            code_challenge_method="S256",
            token_endpoint_auth_method="none",  # a public client: PKCE instead of a secret
        )
    )
    verifier, nonce = generate_token(48), generate_token(20)
    url, _state = client.create_authorization_url(
        f"{base}/o/authorize/", code_verifier=verifier, nonce=nonce
    )
    token = client.fetch_token(
        f"{base}/o/token/",
        authorization_response=consent(browser, url),
        code_verifier=verifier,
        timeout=TIMEOUT,
    )
    assert set(token["scope"].split()) == set(SCOPE.split())

    cards = client.get(f"{base}/api/v1/practice/cards/", timeout=TIMEOUT)
    assert cards.status_code == 200, cards.text
    me = client.get(f"{base}/api/v1/me/", timeout=TIMEOUT)
    assert me.json()["email"] == learner.email
    review = client.post(f"{base}/api/v1/practice/reviews/", json={}, timeout=TIMEOUT)
    assert review.status_code == 403
    assert review.json()["required_scope"] == "practice:write"

    # OpenID Connect: a relying party validates the ID token (signature against the
    # JWKS, issuer from the discovery document, audience, expiry, nonce, at_hash).
    oidc = OAuth().register(
        "rehearse",
        client_id=public_app.client_id,
        server_metadata_url=f"{base}/o/.well-known/openid-configuration",
    )
    claims = oidc.parse_id_token(token, nonce=nonce)
    assert claims["sub"] == str(learner.pk)
    assert claims["iss"] == f"{base}/o"
    assert claims["aud"] == public_app.client_id
    assert claims["name"] == "Ada"
    assert claims["email"] == learner.email
    userinfo = oidc.userinfo(token=token)
    assert userinfo["sub"] == str(learner.pk)
    header, payload, signature = token["id_token"].split(".")
    forged = ".".join([header, payload, signature[::-1]])
    with pytest.raises(BadSignatureError):
        oidc.parse_id_token({**token, "id_token": forged}, nonce=nonce)

    old_access = token["access_token"]
    refreshed = client.refresh_token(f"{base}/o/token/", timeout=TIMEOUT)
    assert refreshed["access_token"] != old_access
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert client.get(f"{base}/api/v1/practice/cards/", timeout=TIMEOUT).status_code == 200

    revoked = client.revoke_token(
        f"{base}/o/revoke_token/",
        token=refreshed["access_token"],
        token_type_hint="access_token",
        timeout=TIMEOUT,
    )
    assert revoked.status_code == 200
    after = requests.get(
        f"{base}/api/v1/practice/cards/",
        headers={"Authorization": f"Bearer {refreshed['access_token']}"},
        timeout=TIMEOUT,
    )
    assert after.status_code == 401
    assert after.headers["WWW-Authenticate"].startswith("Bearer")
    with pytest.raises(OAuthError) as refused:
        client.refresh_token(f"{base}/o/token/", timeout=TIMEOUT)
    assert refused.value.error == "invalid_grant"


def test_the_library_cannot_get_a_code_without_s256(
    base: str, browser: requests.Session, public_app: Any, session_of: Any
) -> None:
    client = session_of(
        OAuth2Session(
            client_id=public_app.client_id, redirect_uri=REDIRECT_URI, scope="questions:read"
        )
    )
    url, _state = client.create_authorization_url(f"{base}/o/authorize/")  # no PKCE
    response = browser.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302
    assert "error=invalid_request" in response.headers["Location"]
