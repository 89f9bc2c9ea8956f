"""Personas, client applications and OAuth2 helpers for the oauth tests.

``authorize`` and ``exchange`` drive the authorization-code flow through Django's test
client (fast, for the refusal cases); ``test_live_flow.py`` drives it with a real OAuth2
client library against a live server.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, set_token_value

from rehearse.accounts.models import User
from rehearse.oauth import services

REDIRECT_URI = "http://127.0.0.1:8765/callback"
ALL_USER_SCOPES = [
    "openid",
    "profile",
    "email",
    "questions:read",
    "questions:write",
    "practice:read",
    "practice:write",
]


def form(data: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for a form-encoded POST, the way OAuth2 clients send them."""
    return {"data": urlencode(data), "content_type": "application/x-www-form-urlencoded"}


def basic_auth(client_id: str, secret: str) -> dict[str, Any]:
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {credentials}"}


@dataclass
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


@pytest.fixture
def learner(make_user: Callable[..., User]) -> User:
    return make_user("learner@example.org", display_name="Ada")


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin@example.org", is_staff=True)


@pytest.fixture
def make_app(admin: User) -> Callable[..., services.NewApplication]:
    def make(
        *,
        client_type: str = services.PUBLIC,
        grant_type: str = services.AUTHORIZATION_CODE,
        scopes: list[str] | None = None,
        redirect_uris: list[str] | None = None,
        name: str = "Flashcard Buddy",
    ) -> services.NewApplication:
        if redirect_uris is None:
            redirect_uris = [REDIRECT_URI] if grant_type == services.AUTHORIZATION_CODE else []
        return services.application_create(
            name=name,
            client_type=client_type,
            grant_type=grant_type,
            redirect_uris=redirect_uris,
            allowed_scopes=ALL_USER_SCOPES if scopes is None else scopes,
            by=admin,
        )

    return make


@pytest.fixture
def public_app(make_app: Callable[..., services.NewApplication]) -> Any:
    return make_app().application


@pytest.fixture
def confidential_app(make_app: Callable[..., services.NewApplication]) -> services.NewApplication:
    return make_app(client_type=services.CONFIDENTIAL, name="Study Server")


@pytest.fixture
def service_app(make_app: Callable[..., services.NewApplication]) -> services.NewApplication:
    return make_app(
        client_type=services.CONFIDENTIAL,
        grant_type=services.CLIENT_CREDENTIALS,
        scopes=["questions:read"],
        name="Bank Mirror",
    )


def authorize(
    client: Client,
    application: Any,
    *,
    scope: str = "openid profile questions:read practice:read",
    pkce: Pkce | None = None,
    redirect_uri: str = REDIRECT_URI,
    extra: dict[str, str] | None = None,
) -> Any:
    """GET the authorization endpoint as a signed-in browser would."""
    pkce = pkce or Pkce.new()
    params = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": "xyz",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
        "nonce": "n-0S6",
        **(extra or {}),
    }
    return client.get("/o/authorize/", {k: v for k, v in params.items() if v is not None})


def consent(client: Client, page: Any) -> dict[str, list[str]]:
    """Allow on the consent page; return the parameters of the redirect back."""
    fields = page.context["form"].initial
    response = client.post(
        "/o/authorize/", {**{k: v for k, v in fields.items() if v is not None}, "allow": "Allow"}
    )
    assert response.status_code == 302, response.content
    return parse_qs(urlsplit(response["Location"]).query)


def code_for(client: Client, application: Any, pkce: Pkce, **kwargs: Any) -> str:
    page = authorize(client, application, pkce=pkce, **kwargs)
    assert page.status_code == 200, page.content
    return consent(client, page)["code"][0]


def exchange(
    client: Client,
    application: Any,
    code: str,
    *,
    verifier: str | None,
    redirect_uri: str = REDIRECT_URI,
    headers: dict[str, Any] | None = None,
    **extra: str,
) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": application.client_id,
        "code_verifier": verifier,
        **extra,
    }
    return client.post(
        "/o/token/", **form({k: v for k, v in data.items() if v is not None}), **(headers or {})
    )


def make_token(application: Any, user: User | None, scope: str) -> str:
    """An access token written straight to the database, as the token endpoint would."""
    raw = secrets.token_urlsafe(30)
    token = get_access_token_model()(
        user=user,
        application=application,
        scope=scope,
        expires=timezone.now() + timedelta(hours=1),
    )
    set_token_value(token, raw)
    token.save()
    return raw


@pytest.fixture
def browser(learner: User) -> Client:
    client = Client()
    client.force_login(learner)
    return client


class FormFields(HTMLParser):
    """The named inputs of one ``<form id=...>`` in a page, as a browser would submit them."""

    def __init__(self, html: str, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        elif tag == "input" and self.inside and attributes.get("name"):
            self.fields[str(attributes["name"])] = attributes.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
