"""The session sign-in of the pages and of the OAuth consent page (/accounts/login/)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rehearse.accounts.models import User
from rehearse.accounts.tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db

NEXT = "/o/authorize/?client_id=x"


def sign_in(client: Client, email: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": email, "password": password, "next": NEXT})


def test_the_page_labels_its_fields_and_says_why_it_is_shown() -> None:
    html = Client().get(f"/accounts/login/?next={NEXT}").content.decode()
    assert '<html lang="en">' in html
    assert '<label for="id_username">Email address</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "An application asks to use your rehearse account" in html
    assert "//cdn" not in html


def test_signing_in_without_next_goes_to_the_front_page(learner: User) -> None:
    response = Client().post("/accounts/login/", {"username": learner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_is_a_form_error_not_a_sign_in(learner: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": learner.email, "password": "nope nope"})
    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()
    assert client.get("/accounts/profile/").status_code == 302  # still signed out


def test_logging_out_takes_a_post_with_csrf(learner: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 403  # no CSRF token
    assert client.get("/accounts/profile/").status_code == 200


def test_signing_in_returns_to_the_authorization_request(learner: User) -> None:
    response = sign_in(Client(), learner.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == NEXT


def test_a_next_to_another_site_is_not_followed(learner: User) -> None:
    response = Client().post(
        "/accounts/login/",
        {"username": learner.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_failures_are_limited_per_account_as_on_the_api(learner: User) -> None:
    client = Client()
    for _ in range(5):
        assert sign_in(client, learner.email, "wrong password!").status_code == 200
    response = sign_in(client, learner.email, PASSWORD)  # right, but too late
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed sign-ins" in response.content.decode()
    api = client.post(
        "/api/v1/auth/token/",
        {"email": learner.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert api.status_code == 429  # one count for both doors
