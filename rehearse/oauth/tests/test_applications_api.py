"""Registering OAuth2 clients through /api/v1/oauth/applications/ (admins only)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.test import Client
from oauth2_provider.models import get_application_model
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.oauth.models import ClientPolicy
from rehearse.oauth.tests.conftest import basic_auth, form, make_token
from rehearse.oauth.tests.test_scope_table import call

pytestmark = pytest.mark.django_db

URL = "/api/v1/oauth/applications/"
Application = get_application_model()

WEB_APP = {
    "name": "Study Planner",
    "client_type": "confidential",
    "grant_type": "authorization_code",
    "redirect_uris": ["https://planner.example/oauth/callback"],
    "allowed_scopes": ["openid", "profile", "practice:read"],
}


@pytest.fixture
def as_admin(admin: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin)
    return client


def test_creating_a_confidential_client_shows_its_secret_once(as_admin: APIClient) -> None:
    response = as_admin.post(URL, WEB_APP, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["client_secret"]
    assert len(secret) >= 40
    assert body["grant_type"] == "authorization_code"
    assert body["redirect_uris"] == WEB_APP["redirect_uris"]
    assert body["allowed_scopes"] == ["openid", "profile", "practice:read"]
    assert response["Location"].endswith(f"{URL}{body['id']}/")

    stored = Application.objects.get(pk=body["id"])
    assert stored.client_secret != secret
    identify_hasher(stored.client_secret)  # a password hash, not the secret
    assert check_password(secret, stored.client_secret)

    for listed in (
        as_admin.get(URL).json()["results"][0],
        as_admin.get(response["Location"]).json(),
    ):
        assert "client_secret" not in listed
        assert listed["client_id"] == body["client_id"]


def test_a_public_client_has_no_secret(as_admin: APIClient) -> None:
    response = as_admin.post(URL, {**WEB_APP, "client_type": "public"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["client_secret"] is None
    assert Application.objects.get(pk=response.json()["id"]).client_secret == ""


def test_a_server_client_gets_a_working_secret(as_admin: APIClient) -> None:
    body = as_admin.post(
        URL,
        {
            "name": "Mirror",
            "client_type": "confidential",
            "grant_type": "client_credentials",
            "allowed_scopes": ["questions:read"],
        },
        format="json",
    ).json()
    response = Client().post(
        "/o/token/",
        **form({"grant_type": "client_credentials"}),
        **basic_auth(body["client_id"], body["client_secret"]),
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"redirect_uris": ["http://planner.example/callback"]}, "redirect_uris"),
        ({"redirect_uris": ["https://*.planner.example/callback"]}, "redirect_uris"),
        ({"redirect_uris": ["https://planner.example/cb#frag"]}, "redirect_uris"),
        ({"redirect_uris": []}, "redirect_uris"),
        ({"allowed_scopes": []}, "allowed_scopes"),
        ({"allowed_scopes": ["admin"]}, "allowed_scopes.0"),
        ({"grant_type": "password"}, "grant_type"),
        ({"grant_type": "client_credentials", "redirect_uris": []}, "allowed_scopes"),
        (
            {"grant_type": "client_credentials", "client_type": "public", "redirect_uris": []},
            "client_type",
        ),
        ({"client_secret": "chosen"}, "client_secret"),
    ],
)
def test_registrations_that_break_the_rules_are_400(
    as_admin: APIClient, change: dict[str, Any], field: str
) -> None:
    response = as_admin.post(URL, {**WEB_APP, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Application.objects.exists()


def test_loopback_http_redirects_are_allowed_where_settings_allow_them(
    as_admin: APIClient,
) -> None:
    change = {"redirect_uris": ["http://127.0.0.1:8765/callback"]}
    assert as_admin.post(URL, {**WEB_APP, **change}, format="json").status_code == 201


@pytest.mark.parametrize("who", ["anonymous", "learner"])
def test_only_admins_manage_clients(who: str, learner: User) -> None:
    client = APIClient()
    if who == "learner":
        client.force_authenticate(learner)
    response = client.post(URL, WEB_APP, format="json")
    assert response.status_code == (401 if who == "anonymous" else 403)
    assert not Application.objects.exists()


def test_narrowing_scopes_revokes_the_clients_tokens(as_admin: APIClient, learner: User) -> None:
    body = as_admin.post(URL, WEB_APP, format="json").json()
    application = Application.objects.get(pk=body["id"])
    token = make_token(application, learner, "practice:read")
    url = f"{URL}{body['id']}/"

    widened = as_admin.patch(url, {"allowed_scopes": [*WEB_APP["allowed_scopes"], "email"]})
    assert widened.status_code == 200, widened.content
    assert call(token, "GET", "/api/v1/practice/cards/").status_code == 200

    narrowed = as_admin.patch(url, {"allowed_scopes": ["openid"]}, format="json")
    assert narrowed.status_code == 200
    assert narrowed.json()["allowed_scopes"] == ["openid"]
    assert ClientPolicy.objects.get(application=application).allowed_scopes == "openid"
    assert call(token, "GET", "/api/v1/practice/cards/").status_code == 401


def test_deleting_a_client_ends_its_tokens(as_admin: APIClient, learner: User) -> None:
    body = as_admin.post(URL, WEB_APP, format="json").json()
    token = make_token(Application.objects.get(pk=body["id"]), learner, "practice:read")
    assert as_admin.delete(f"{URL}{body['id']}/").status_code == 204
    assert call(token, "GET", "/api/v1/practice/cards/").status_code == 401
