"""Client-credentials tokens act for an application, never for a user.

They can read the published bank and nothing else: no practice data (nobody's), no
profile, no writes, whatever scope the token claims to carry.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from rehearse.oauth import services
from rehearse.oauth.tests.conftest import basic_auth, form, make_token
from rehearse.oauth.tests.test_scope_table import ENDPOINTS, MATRIX, PR, PW, call
from rehearse.questions.models import QuestionStatus
from rehearse.questions.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def client_credentials(app: services.NewApplication, **extra: str) -> Any:
    assert app.client_secret is not None
    return Client().post(
        "/o/token/",
        **form({"grant_type": "client_credentials", **extra}),
        **basic_auth(app.application.client_id, app.client_secret),
    )


def test_token_reads_the_published_bank_only(service_app: services.NewApplication) -> None:
    published = QuestionFactory(title="Published one")
    QuestionFactory(title="A draft", status=QuestionStatus.DRAFT, published_at=None)
    response = client_credentials(service_app)
    assert response.status_code == 200, response.content
    token = response.json()
    assert token["scope"] == "questions:read"
    assert "refresh_token" not in token  # nothing to refresh: ask again
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    listed = client.get("/api/v1/questions/")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == [published.pk]


@pytest.mark.parametrize(
    "endpoint",
    sorted(key for key, (scope, _) in MATRIX.items() if scope in (PR, PW)),
    ids="{0[0]} {0[1]}".format,
)
def test_token_gets_403_on_every_practice_endpoint(
    endpoint: tuple[str, str], service_app: services.NewApplication
) -> None:
    token = client_credentials(service_app).json()["access_token"]
    name, method = endpoint
    response = call(token, method, ENDPOINTS[name, method])
    assert response.status_code == 403
    assert response.json()["required_scope"] == MATRIX[endpoint][0]


def test_token_cannot_see_a_profile_or_write_questions(
    service_app: services.NewApplication,
) -> None:
    token = client_credentials(service_app).json()["access_token"]
    assert call(token, "GET", "/api/v1/me/").status_code == 403
    assert call(token, "POST", "/api/v1/questions/").status_code == 403


def test_asking_for_more_than_reading_the_bank_is_invalid_scope(
    service_app: services.NewApplication,
) -> None:
    response = client_credentials(service_app, scope="questions:read practice:read")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_wider_token_written_without_a_user_is_still_held_to_reading(
    service_app: services.NewApplication,
) -> None:
    """Even a token whose row claims more (written by hand) acts for nobody."""
    token = make_token(service_app.application, None, "questions:read practice:read")
    assert call(token, "GET", "/api/v1/practice/cards/").status_code == 403
    assert call(token, "GET", "/api/v1/questions/").status_code == 200


def test_a_wrong_secret_is_invalid_client(service_app: services.NewApplication) -> None:
    response = Client().post(
        "/o/token/",
        **form({"grant_type": "client_credentials"}),
        **basic_auth(service_app.application.client_id, "not-the-secret"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_an_authorization_code_client_cannot_use_client_credentials(
    confidential_app: services.NewApplication,
) -> None:
    response = client_credentials(confidential_app)
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"
