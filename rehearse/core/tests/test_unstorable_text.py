"""Text PostgreSQL cannot store is refused at the door with 400, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role, grant_role
from rehearse.core.parsers import unstorable_text
from rehearse.questions.models import Question
from rehearse.questions.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("plain", False),
        ({"nested": ["ok", {"deeper": "ok"}]}, False),
        ("nul\x00inside", True),
        ({"key\x00": "ok"}, True),
        (["ok", {"x": "\ud800"}], True),
        (42, False),
    ],
)
def test_unstorable_text_is_found_anywhere(value: Any, refused: bool) -> None:
    assert unstorable_text(value) is refused


@pytest.fixture
def author_client() -> APIClient:
    author = User.objects.create_user("author@example.org", "a long passphrase 1")
    grant_role(author, Role.AUTHOR)
    client = APIClient()
    client.force_authenticate(author)
    return client


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud969"])
def test_a_body_with_nul_or_a_lone_surrogate_is_400(author_client: APIClient, bad: str) -> None:
    TopicFactory(slug="jwt")
    body = f'{{"topic": "jwt{bad}", "title": "T", "prompt": "P"}}'
    response = author_client.generic(
        "POST", "/api/v1/questions/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "NUL" in response.json()["detail"]
    assert not Question.objects.exists()


@pytest.mark.parametrize("query", ["topic=%00", "tag=a%00b", "search=x%00", "%00=1"])
def test_a_query_string_with_nul_is_400(api_client: APIClient, query: str) -> None:
    response = api_client.get(f"/api/v1/questions/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
