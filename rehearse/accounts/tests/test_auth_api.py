"""Sign-up, sign-in, refresh with rotation, sign-out, password change and profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import identify_hasher
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.tests.conftest import PASSWORD, bearer, sign_in

pytestmark = pytest.mark.django_db


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_register_creates_a_learner_and_points_at_the_profile(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "Ada@Example.org", "password": PASSWORD, "display_name": "Ada"},
    )
    assert response.status_code == 201
    assert response["Location"].endswith("/api/v1/me/")
    body = response.json()
    assert body["email"] == "ada@example.org"
    assert body["roles"] == ["learner"]
    assert "password" not in body
    user = User.objects.get()
    assert user.check_password(PASSWORD)


def test_register_uses_argon2_outside_the_fast_test_hasher(
    api_client: APIClient, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    api_client.post("/api/v1/auth/register/", {"email": "h@example.org", "password": PASSWORD})
    assert identify_hasher(User.objects.get().password).algorithm == "argon2"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "x@example.org", "password": "short"}, "password"),
        ({"email": "x@example.org", "password": "password123"}, "password"),
        ({"email": "x@example.org", "password": "12345678901234"}, "password"),
        ({"email": "not-an-email", "password": PASSWORD}, "email"),
        ({"password": PASSWORD}, "email"),
        ({"email": "x@example.org", "password": PASSWORD, "is_staff": True}, "is_staff"),
        ({"email": "x@example.org", "password": PASSWORD, "time_zone": "Mars/Base"}, "time_zone"),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(
    api_client: APIClient, payload: dict[str, Any], field: str
) -> None:
    body = problem(api_client.post("/api/v1/auth/register/", payload), 400)
    assert field in body["errors"]
    assert not User.objects.exists()


def test_register_refuses_a_taken_email_in_any_case(api_client: APIClient, learner: User) -> None:
    response = api_client.post(
        "/api/v1/auth/register/", {"email": "LEARNER@example.org", "password": PASSWORD}
    )
    assert "email" in problem(response, 400)["errors"]
    assert User.objects.count() == 1


def test_sign_in_returns_a_pair_that_authenticates(api_client: APIClient, learner: User) -> None:
    pair = sign_in(api_client, "Learner@Example.org")
    assert set(pair) == {"access", "refresh"}
    response = bearer(APIClient(), pair["access"]).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == "learner@example.org"


def test_wrong_password_is_401(api_client: APIClient, learner: User) -> None:
    response = api_client.post(
        "/api/v1/auth/token/", {"email": learner.email, "password": "not the password"}
    )
    assert problem(response, 401)["type"] == "/problems/authentication-failed"


def test_refresh_rotates_and_the_old_access_token_dies_with_it(
    api_client: APIClient, learner: User
) -> None:
    first = sign_in(api_client, learner.email)
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]})
    assert response.status_code == 200
    second = response.json()
    assert second["refresh"] != first["refresh"]
    assert bearer(APIClient(), second["access"]).get("/api/v1/me/").status_code == 200
    assert bearer(APIClient(), first["access"]).get("/api/v1/me/").status_code == 401


def test_reusing_a_rotated_refresh_token_revokes_every_token_of_the_user(
    api_client: APIClient, learner: User
) -> None:
    stolen = sign_in(api_client, learner.email)
    other_device = sign_in(api_client, learner.email)
    legit = api_client.post("/api/v1/auth/token/refresh/", {"refresh": stolen["refresh"]}).json()
    replay = api_client.post("/api/v1/auth/token/refresh/", {"refresh": stolen["refresh"]})
    assert "already used" in problem(replay, 401)["detail"]
    for access in (legit["access"], other_device["access"]):
        assert bearer(APIClient(), access).get("/api/v1/me/").status_code == 401
    for refresh in (legit["refresh"], other_device["refresh"]):
        again = api_client.post("/api/v1/auth/token/refresh/", {"refresh": refresh})
        assert again.status_code == 401
    assert sign_in(api_client, learner.email)  # the password still works


def test_logout_kills_the_refresh_and_the_current_access_token(
    api_client: APIClient, learner: User
) -> None:
    pair = sign_in(api_client, learner.email)
    other = sign_in(api_client, learner.email)
    client = bearer(APIClient(), pair["access"])
    assert client.post("/api/v1/auth/logout/", {"refresh": pair["refresh"]}).status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    refreshed = api_client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]})
    assert refreshed.status_code == 401
    # Another device's session is untouched.
    assert bearer(APIClient(), other["access"]).get("/api/v1/me/").status_code == 200


def test_logout_refuses_someone_elses_refresh_token(
    api_client: APIClient, learner: User, make_user: Callable[..., User]
) -> None:
    outsider = make_user("outsider@example.org")
    theirs = sign_in(api_client, outsider.email)
    mine = sign_in(api_client, learner.email)
    response = bearer(APIClient(), mine["access"]).post(
        "/api/v1/auth/logout/", {"refresh": theirs["refresh"]}
    )
    assert "refresh" in problem(response, 400)["errors"]
    assert bearer(APIClient(), theirs["access"]).get("/api/v1/me/").status_code == 200


def test_password_change_revokes_every_earlier_token(api_client: APIClient, learner: User) -> None:
    old = sign_in(api_client, learner.email)
    response = bearer(APIClient(), old["access"]).post(
        "/api/v1/auth/password/",
        {"current_password": PASSWORD, "new_password": "an entirely new passphrase"},
    )
    assert response.status_code == 200
    new = response.json()
    assert bearer(APIClient(), old["access"]).get("/api/v1/me/").status_code == 401
    assert (
        api_client.post("/api/v1/auth/token/refresh/", {"refresh": old["refresh"]}).status_code
        == 401
    )
    assert bearer(APIClient(), new["access"]).get("/api/v1/me/").status_code == 200
    sign_in(api_client, learner.email, "an entirely new passphrase")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"current_password": "wrong", "new_password": "an entirely new passphrase"},
            "current_password",
        ),
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
    ],
)
def test_password_change_refuses_bad_input(
    api_client: APIClient, learner: User, payload: dict[str, str], field: str
) -> None:
    pair = sign_in(api_client, learner.email)
    response = bearer(APIClient(), pair["access"]).post("/api/v1/auth/password/", payload)
    assert field in problem(response, 400)["errors"]
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)
    assert bearer(APIClient(), pair["access"]).get("/api/v1/me/").status_code == 200


def test_profile_can_be_read_and_patched(api_client: APIClient, learner: User) -> None:
    client = bearer(APIClient(), sign_in(api_client, learner.email)["access"])
    response = client.patch(
        "/api/v1/me/",
        {
            "display_name": "Lea",
            "time_zone": "Europe/Berlin",
            "interview_date": "2027-01-15",
            "daily_review_limit": 30,
        },
    )
    assert response.status_code == 200, response.content
    learner.refresh_from_db()
    assert (learner.display_name, learner.time_zone, str(learner.interview_date)) == (
        "Lea",
        "Europe/Berlin",
        "2027-01-15",
    )
    assert learner.daily_review_limit == 30


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"time_zone": "Nowhere/Land"}, "time_zone"),
        ({"daily_review_limit": 0}, "daily_review_limit"),
        ({"interview_date": "tomorrow"}, "interview_date"),
        ({"email": "new@example.org"}, "email"),
        ({"is_staff": True}, "is_staff"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_profile_patch_refuses_bad_and_read_only_fields(
    api_client: APIClient, learner: User, payload: dict[str, Any], field: str
) -> None:
    client = bearer(APIClient(), sign_in(api_client, learner.email)["access"])
    assert field in problem(client.patch("/api/v1/me/", payload), 400)["errors"]
    learner.refresh_from_db()
    assert (learner.email, learner.is_staff, learner.time_zone) == (
        "learner@example.org",
        False,
        "UTC",
    )


def test_put_on_the_profile_is_not_allowed(api_client: APIClient, learner: User) -> None:
    client = bearer(APIClient(), sign_in(api_client, learner.email)["access"])
    assert client.put("/api/v1/me/", {"display_name": "x"}).status_code == 405


def test_anonymous_profile_request_is_401_with_a_bearer_challenge(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/me/")
    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_session_authentication_reaches_the_same_views_with_csrf_enforced(
    learner: User,
) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.get("/api/v1/me/").json()["email"] == learner.email
    # An unsafe request on a session without the CSRF token is refused.
    response = client.patch("/api/v1/me/", {"display_name": "Forged"})
    assert problem(response, 403)["detail"].startswith("CSRF Failed")
    learner.refresh_from_db()
    assert learner.display_name == ""
