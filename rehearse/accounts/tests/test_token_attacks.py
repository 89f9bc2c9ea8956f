"""Forged, stale and revoked tokens are refused with 401 and a problem body."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.tests.conftest import PASSWORD, bearer, sign_in

pytestmark = pytest.mark.django_db


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    payload: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return payload


def assert_refused(access: str) -> None:
    response = bearer(APIClient(), access).get("/api/v1/me/")
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]


@pytest.fixture
def valid_claims(api_client: APIClient, learner: User) -> dict[str, Any]:
    return claims_of(sign_in(api_client, learner.email)["access"])


def test_a_valid_token_is_accepted(api_client: APIClient, learner: User) -> None:
    access = sign_in(api_client, learner.email)["access"]
    assert bearer(APIClient(), access).get("/api/v1/me/").status_code == 200


def test_alg_none_is_refused(valid_claims: dict[str, Any]) -> None:
    assert_refused(f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(valid_claims)}.")


def test_a_token_signed_with_another_key_is_refused(valid_claims: dict[str, Any]) -> None:
    assert_refused(jwt.encode(valid_claims, "another-key-" * 8, algorithm="HS256"))


def test_a_token_with_another_algorithm_is_refused(valid_claims: dict[str, Any]) -> None:
    assert_refused(jwt.encode(valid_claims, settings.SECRET_KEY, algorithm="HS512"))


def test_an_expired_token_is_refused(valid_claims: dict[str, Any]) -> None:
    past = int((dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).timestamp())
    assert_refused(
        jwt.encode({**valid_claims, "exp": past}, settings.SECRET_KEY, algorithm="HS256")
    )


def test_a_token_for_another_audience_is_refused(valid_claims: dict[str, Any]) -> None:
    forged = {**valid_claims, "aud": "some-other-api"}
    assert_refused(jwt.encode(forged, settings.SECRET_KEY, algorithm="HS256"))


def test_a_token_whose_user_was_deactivated_is_refused(
    api_client: APIClient, learner: User
) -> None:
    access = sign_in(api_client, learner.email)["access"]
    User.objects.filter(pk=learner.pk).update(is_active=False)
    assert_refused(access)


def test_a_refresh_token_is_not_an_access_token(api_client: APIClient, learner: User) -> None:
    assert_refused(sign_in(api_client, learner.email)["refresh"])


def test_an_access_token_after_logout_is_refused(api_client: APIClient, learner: User) -> None:
    pair = sign_in(api_client, learner.email)
    bearer(APIClient(), pair["access"]).post("/api/v1/auth/logout/", {})
    assert_refused(pair["access"])


def test_tokens_issued_before_a_password_change_are_refused(
    api_client: APIClient, learner: User
) -> None:
    pair = sign_in(api_client, learner.email)
    bearer(APIClient(), pair["access"]).post(
        "/api/v1/auth/password/",
        {"current_password": PASSWORD, "new_password": "a new and long passphrase"},
    )
    assert_refused(pair["access"])


def test_a_refresh_token_reused_after_rotation_is_refused(
    api_client: APIClient, learner: User
) -> None:
    pair = sign_in(api_client, learner.email)
    first = api_client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]})
    assert first.status_code == 200
    again = api_client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]})
    assert again.status_code == 401
    assert again["Content-Type"] == "application/problem+json"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_with_one_token_cannot_both_succeed(
    on_postgres: None, make_user: Callable[..., User]
) -> None:
    user = make_user("racer@example.org")
    pair = sign_in(APIClient(), user.email)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def refresh() -> None:
        try:
            barrier.wait(timeout=10)
            response = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]})
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 401]
