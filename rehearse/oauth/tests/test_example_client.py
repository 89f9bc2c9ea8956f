"""examples/oauth_client.py, run for real against a live rehearse.

A browser signs in to rehearse, starts at the example app, is sent to rehearse's consent
page, allows, and comes back; the app then shows the rehearse profile it fetched with its
token, refreshes, and on sign-out revokes (the revoked token then gets 401).
"""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from rehearse.accounts.models import User
from rehearse.accounts.tests.fixtures import PASSWORD
from rehearse.oauth import services
from rehearse.oauth.tests.conftest import FormFields

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "oauth_client.py"
TIMEOUT = 10


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("oauth_client_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def buddy(live_server: Any, admin: User) -> Iterator[tuple[str, Any]]:
    """The example app, registered with rehearse as a public client, serving on a port."""
    example = load_example()
    port = free_port()
    redirect_uri = f"http://127.0.0.1:{port}/callback"
    application = services.application_create(
        name="Flashcard Buddy",
        client_type=services.PUBLIC,
        grant_type=services.AUTHORIZATION_CODE,
        redirect_uris=[redirect_uri],
        allowed_scopes=["openid", "profile", "questions:read", "practice:read"],
        by=admin,
    ).application
    client = example.RehearseClient(
        base_url=live_server.url, client_id=application.client_id, redirect_uri=redirect_uri
    )
    app = example.BuddyApp(client)
    server = app.make_server("127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=TIMEOUT)


def test_example_app_signs_in_calls_refreshes_and_revokes(
    live_server: Any, buddy: tuple[str, Any], learner: User
) -> None:
    buddy_url, app = buddy
    with requests.Session() as browser:
        signed_out = sign_in_and_out(live_server.url, buddy_url, app, browser, learner)
    for access in signed_out:
        response = requests.get(
            f"{live_server.url}/api/v1/me/",
            headers={"Authorization": f"Bearer {access}"},
            timeout=TIMEOUT,
        )
        assert response.status_code == 401


def sign_in_and_out(
    rehearse_url: str, buddy_url: str, app: Any, browser: requests.Session, learner: User
) -> list[str]:
    """Through the example app: sign in, refresh, sign out; the access tokens it held."""
    login = browser.get(f"{rehearse_url}/accounts/login/", timeout=TIMEOUT)
    fields = FormFields(login.text, "login").fields
    fields.update(username=learner.email, password=PASSWORD)
    browser.post(f"{rehearse_url}/accounts/login/", data=fields, timeout=TIMEOUT)

    to_rehearse = browser.get(f"{buddy_url}/login", allow_redirects=False, timeout=TIMEOUT)
    assert to_rehearse.status_code == 302
    consent = browser.get(to_rehearse.headers["Location"], timeout=TIMEOUT)
    assert "Flashcard Buddy" in consent.text
    allowed = browser.post(
        consent.url,
        data={**FormFields(consent.text, "consent").fields, "allow": "Allow"},
        timeout=TIMEOUT,
    )  # followed: rehearse -> the app's callback -> the app's home page
    assert allowed.url == f"{buddy_url}/"
    assert f"Signed in as {learner.email}" in allowed.text
    assert "Cards due now: 0" in allowed.text

    (session,) = app.sessions.values()
    first_access = session.tokens["access_token"]
    csrf = session.csrf
    browser.post(f"{buddy_url}/refresh", data={"csrf": csrf}, timeout=TIMEOUT)
    second_access = session.tokens["access_token"]
    assert second_access != first_access

    home = browser.post(f"{buddy_url}/logout", data={"csrf": csrf}, timeout=TIMEOUT)
    assert "Sign in with rehearse" in home.text
    return [first_access, second_access]


def test_example_app_refuses_a_callback_it_did_not_start(buddy: tuple[str, Any]) -> None:
    buddy_url, _app = buddy
    response = requests.get(f"{buddy_url}/callback?code=stolen&state=forged", timeout=TIMEOUT)
    assert "not for a sign-in started here" in response.text
