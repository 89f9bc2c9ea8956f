"""The authorization-code grant with PKCE: what it gives, and everything it refuses.

Each refusal is checked for the OAuth2 error code RFC 6749 / RFC 7636 give it, and for
what it does not do (redirect to an unregistered URI, leave tokens alive).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.oauth import services
from rehearse.oauth.tests.conftest import (
    REDIRECT_URI,
    Pkce,
    authorize,
    basic_auth,
    code_for,
    consent,
    exchange,
    form,
)

pytestmark = pytest.mark.django_db


def api_status(access_token: str, path: str = "/api/v1/questions/") -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token}")
    return int(client.get(path).status_code)


def refresh(client: Client, application: Any, refresh_token: str) -> Any:
    return client.post(
        "/o/token/",
        **form(
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": application.client_id,
            }
        ),
    )


def redirect_error(response: Any) -> str:
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    params = parse_qs(location.query)
    assert params["state"] == ["xyz"]
    return params["error"][0]


# -- what it gives ------------------------------------------------------------------


def test_consent_page_names_the_client_and_every_scope(browser: Client, public_app: Any) -> None:
    page = authorize(browser, public_app, scope="openid questions:read practice:write")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Flashcard Buddy" in html
    for scope in ("openid", "questions:read", "practice:write"):
        assert f"<code>{scope}</code>" in html
    assert "practice:read" not in html
    assert "127.0.0.1:8765" in html  # where the user will be sent back
    assert 'name="csrfmiddlewaretoken"' in html
    assert page["X-Frame-Options"] == "DENY"


def test_signed_out_visitor_is_sent_to_sign_in_first(public_app: Any) -> None:
    response = authorize(Client(), public_app)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/o/authorize/")


def test_consent_post_needs_the_csrf_token(learner: User, public_app: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    page = authorize(client, public_app)
    fields = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = client.post("/o/authorize/", {**fields, "allow": "Allow"})
    assert response.status_code == 403


def test_denying_sends_access_denied_back(browser: Client, public_app: Any) -> None:
    page = authorize(browser, public_app)
    fields = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    assert redirect_error(browser.post("/o/authorize/", fields)) == "access_denied"


def test_code_exchange_gives_tokens_that_call_the_api(browser: Client, public_app: Any) -> None:
    pkce = Pkce.new()
    redirect = consent(browser, authorize(browser, public_app, pkce=pkce))
    assert redirect["state"] == ["xyz"]
    assert redirect["iss"] == ["http://testserver/o"]  # RFC 9207 mix-up defence
    response = exchange(browser, public_app, redirect["code"][0], verifier=pkce.verifier)
    assert response.status_code == 200, response.content
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert set(tokens["scope"].split()) == {"openid", "profile", "questions:read", "practice:read"}
    assert {"access_token", "refresh_token", "id_token", "expires_in"} <= tokens.keys()
    assert api_status(tokens["access_token"]) == 200
    assert api_status(tokens["access_token"], "/api/v1/practice/cards/") == 200


def test_refresh_rotates_and_a_spent_refresh_token_revokes_the_family(
    browser: Client, public_app: Any
) -> None:
    pkce = Pkce.new()
    code = code_for(browser, public_app, pkce)
    first = exchange(browser, public_app, code, verifier=pkce.verifier).json()
    second = refresh(browser, public_app, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert api_status(first["access_token"]) == 401  # the old access token went with it
    assert api_status(second["access_token"]) == 200

    replay = refresh(browser, public_app, first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # Someone else held the spent token: everything descended from it is revoked.
    assert api_status(second["access_token"]) == 401
    assert refresh(browser, public_app, second["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoked_access_token_gets_401(browser: Client, public_app: Any) -> None:
    pkce = Pkce.new()
    tokens = exchange(
        browser, public_app, code_for(browser, public_app, pkce), verifier=pkce.verifier
    ).json()
    response = browser.post(
        "/o/revoke_token/",
        **form(
            {
                "token": tokens["access_token"],
                "token_type_hint": "access_token",
                "client_id": public_app.client_id,
            }
        ),
    )
    assert response.status_code == 200
    assert api_status(tokens["access_token"]) == 401
    # Revoking the access token also revokes its refresh token (RFC 7009 section 2.1).
    assert refresh(browser, public_app, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_confidential_client_exchanges_with_its_secret(
    browser: Client, confidential_app: services.NewApplication
) -> None:
    application, secret = confidential_app.application, confidential_app.client_secret
    assert secret is not None
    pkce = Pkce.new()
    code = code_for(browser, application, pkce)
    response = exchange(
        browser,
        application,
        code,
        verifier=pkce.verifier,
        headers=basic_auth(application.client_id, secret),
    )
    assert response.status_code == 200, response.content


def test_confidential_client_without_its_secret_is_invalid_client(
    browser: Client, confidential_app: services.NewApplication
) -> None:
    application = confidential_app.application
    pkce = Pkce.new()
    response = exchange(
        browser, application, code_for(browser, application, pkce), verifier=pkce.verifier
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


# -- PKCE ----------------------------------------------------------------------------


def test_exchange_without_code_verifier_is_refused(browser: Client, public_app: Any) -> None:
    code = code_for(browser, public_app, Pkce.new())
    response = exchange(browser, public_app, code, verifier=None)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_exchange_with_a_wrong_code_verifier_is_refused(browser: Client, public_app: Any) -> None:
    code = code_for(browser, public_app, Pkce.new())
    response = exchange(browser, public_app, code, verifier=Pkce.new().verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "pkce_params",
    [
        pytest.param({"code_challenge_method": "plain"}, id="plain"),
        pytest.param({"code_challenge_method": None}, id="no-method-means-plain"),
        pytest.param({"code_challenge": None, "code_challenge_method": None}, id="no-pkce"),
    ],
)
def test_authorization_without_s256_pkce_is_refused_before_consent(
    browser: Client, public_app: Any, pkce_params: dict[str, Any]
) -> None:
    response = authorize(browser, public_app, extra=pkce_params)
    assert redirect_error(response) == "invalid_request"
    assert not get_grant_model().objects.exists()


def test_plain_verifier_against_an_s256_challenge_is_refused(
    browser: Client, public_app: Any
) -> None:
    pkce = Pkce.new()
    code = code_for(browser, public_app, pkce)
    # A "plain" client would send the challenge itself as the verifier.
    response = exchange(browser, public_app, code, verifier=pkce.challenge)
    assert response.json()["error"] == "invalid_grant"


# -- redirect URIs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:8765/callbacK",
        "http://127.0.0.1:8766/callback",  # no port leeway, even on loopback
        "http://127.0.0.1:8765/callback/",
        "http://127.0.0.1:8765/callback?x=1",
        "https://evil.example/callback",
    ],
)
def test_authorization_with_an_unregistered_redirect_uri_never_redirects(
    browser: Client, public_app: Any, redirect_uri: str
) -> None:
    response = authorize(browser, public_app, redirect_uri=redirect_uri)
    assert response.status_code == 400
    assert "Location" not in response
    assert "invalid_request" in response.content.decode()


def test_exchange_with_a_redirect_uri_one_character_off_is_invalid_grant(
    browser: Client, public_app: Any
) -> None:
    pkce = Pkce.new()
    code = code_for(browser, public_app, pkce)
    response = exchange(
        browser,
        public_app,
        code,
        verifier=pkce.verifier,
        redirect_uri="http://127.0.0.1:8765/callbacK",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


# -- the code itself ---------------------------------------------------------------


def test_a_code_used_twice_is_refused_and_its_tokens_revoked(
    browser: Client, public_app: Any
) -> None:
    pkce = Pkce.new()
    code = code_for(browser, public_app, pkce)
    tokens = exchange(browser, public_app, code, verifier=pkce.verifier).json()
    assert api_status(tokens["access_token"]) == 200

    replay = exchange(browser, public_app, code, verifier=pkce.verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert api_status(tokens["access_token"]) == 401
    assert refresh(browser, public_app, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_code_exchanged_concurrently_lets_neither_exchange_keep_tokens(
    browser: Client, public_app: Any
) -> None:
    """Two exchanges racing: both pass validation before either retires the grant."""
    pkce = Pkce.new()
    code = code_for(browser, public_app, pkce)
    grant = get_grant_model().objects.get(code=code)
    first = exchange(browser, public_app, code, verifier=pkce.verifier).json()
    grant.pk = None  # the grant as the second exchange still saw it
    grant.save()
    second = exchange(browser, public_app, code, verifier=pkce.verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert api_status(first["access_token"]) == 401
    # The second exchange's own tokens were saved before the race was lost: gone too.
    assert not get_access_token_model().objects.filter(application=public_app).exists()


def test_an_expired_code_is_invalid_grant(browser: Client, public_app: Any) -> None:
    pkce = Pkce.new()
    code = code_for(browser, public_app, pkce)
    get_grant_model().objects.filter(code=code).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    response = exchange(browser, public_app, code, verifier=pkce.verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_code_is_bound_to_its_client(browser: Client, public_app: Any, make_app: Any) -> None:
    other = make_app(name="Other App").application
    pkce = Pkce.new()
    code = code_for(browser, public_app, pkce)
    response = exchange(browser, other, code, verifier=pkce.verifier)
    assert response.json()["error"] == "invalid_grant"


def test_a_deactivated_user_code_is_refused(
    browser: Client, public_app: Any, learner: User
) -> None:
    pkce = Pkce.new()
    code = code_for(browser, public_app, pkce)
    User.objects.filter(pk=learner.pk).update(is_active=False)
    response = exchange(browser, public_app, code, verifier=pkce.verifier)
    assert response.json()["error"] == "invalid_grant"


# -- clients -------------------------------------------------------------------------


def test_a_public_client_sending_a_secret_is_invalid_client(
    browser: Client, public_app: Any
) -> None:
    pkce = Pkce.new()
    code = code_for(browser, public_app, pkce)
    for how in ("body", "basic"):
        if how == "body":
            response = exchange(
                browser, public_app, code, verifier=pkce.verifier, client_secret="guess"
            )
        else:
            response = exchange(
                browser,
                public_app,
                code,
                verifier=pkce.verifier,
                headers=basic_auth(public_app.client_id, ""),
            )
        assert response.status_code == 401, how
        assert response.json()["error"] == "invalid_client", how
    # The refusals did not spend the code.
    assert exchange(browser, public_app, code, verifier=pkce.verifier).status_code == 200


def test_a_scope_the_client_is_not_allowed_is_invalid_scope(browser: Client, make_app: Any) -> None:
    reader = make_app(scopes=["openid", "questions:read"], name="Reader").application
    response = authorize(browser, reader, scope="questions:read practice:write")
    assert redirect_error(response) == "invalid_scope"


def test_an_unknown_scope_is_invalid_scope(browser: Client, public_app: Any) -> None:
    assert redirect_error(authorize(browser, public_app, scope="admin")) == "invalid_scope"


def test_an_unknown_client_gets_an_error_page_not_a_redirect(browser: Client) -> None:
    class Unknown:
        client_id = "no-such-client"

    response = authorize(browser, Unknown())
    assert response.status_code == 400
    assert "Location" not in response


def test_consent_is_asked_again_unless_the_client_asks_for_auto_approval(
    browser: Client, public_app: Any
) -> None:
    """approval_prompt=auto skips the page only for scopes the user already granted this
    client, with a token still valid; the code still needs the client's PKCE verifier."""
    pkce = Pkce.new()
    exchange(browser, public_app, code_for(browser, public_app, pkce), verifier=pkce.verifier)
    assert authorize(browser, public_app).status_code == 200  # the page again
    again = authorize(browser, public_app, extra={"approval_prompt": "auto"})
    assert again.status_code == 302
    assert "code=" in again["Location"]
    wider = authorize(
        browser, public_app, scope="practice:write", extra={"approval_prompt": "auto"}
    )
    assert wider.status_code == 200  # not granted before: asked
