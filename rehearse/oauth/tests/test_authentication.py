"""JWTs, sessions and OAuth2 tokens side by side on the same API.

All three arrive at the same views with the same permissions and throttles; only
OAuth2 tokens are held to scopes. A bearer token nobody recognises is a 401, never an
anonymous request.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.tests.conftest import sign_in
from rehearse.accounts.tests.fixtures import PASSWORD
from rehearse.oauth.tests.conftest import make_token
from rehearse.oauth.tests.test_scope_table import call

pytestmark = pytest.mark.django_db


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_jwt_users_keep_full_first_party_access(learner: User) -> None:
    access = sign_in(APIClient(), learner.email, PASSWORD)["access"]
    client = bearer(access)
    assert client.get("/api/v1/practice/cards/").status_code == 200
    assert client.patch("/api/v1/me/", {"display_name": "Ada L."}).status_code == 200


def test_session_users_keep_full_first_party_access(learner: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.login(email=learner.email, password=PASSWORD)
    assert client.get("/api/v1/practice/cards/").status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("opaque-but-unknown", id="opaque"),
        pytest.param("aaa.bbb.ccc", id="jwt-shaped"),
        pytest.param("a.b", id="two-segments"),
    ],
)
def test_an_unknown_bearer_token_is_401_even_where_anonymous_may_read(token: str) -> None:
    response = bearer(token).get("/api/v1/questions/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="rehearse"'
    assert response["Content-Type"] == "application/problem+json"


def test_an_expired_oauth_token_is_401(public_app: Any, learner: User) -> None:
    token = make_token(public_app, learner, "questions:read")
    get_access_token_model().objects.update(expires=timezone.now() - timedelta(seconds=1))
    response = bearer(token).get("/api/v1/questions/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_deactivated_users_oauth_token_is_401(public_app: Any, learner: User) -> None:
    token = make_token(public_app, learner, "practice:read")
    User.objects.filter(pk=learner.pk).update(is_active=False)
    assert call(token, "GET", "/api/v1/practice/cards/").status_code == 401


def test_a_token_in_the_query_string_is_not_accepted(public_app: Any, learner: User) -> None:
    token = make_token(public_app, learner, "practice:read")
    response = APIClient().get(f"/api/v1/practice/cards/?access_token={token}")
    assert response.status_code == 401  # as if no credentials were sent


def test_oauth_tokens_act_with_the_users_own_permissions(public_app: Any, learner: User) -> None:
    """The scope lets a token try; the user's role still decides (a learner is no author)."""
    token = make_token(public_app, learner, "questions:write")
    response = call(token, "POST", "/api/v1/questions/")
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/permission-denied"


def test_jwt_and_oauth_requests_of_a_user_share_one_throttle(
    public_app: Any, learner: User, settings: Any
) -> None:
    access = sign_in(APIClient(), learner.email, PASSWORD)["access"]
    token = make_token(public_app, learner, "questions:read")
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        statuses = [
            bearer(access).get("/api/v1/topics/").status_code,
            bearer(token).get("/api/v1/topics/").status_code,
            bearer(access).get("/api/v1/topics/").status_code,
            bearer(token).get("/api/v1/topics/").status_code,
        ]
    assert statuses == [200, 200, 200, 429]
