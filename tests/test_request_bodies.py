"""Every write endpoint outside the question workflow refuses bad bodies cleanly.

(The question workflow and the users API have their own tests:
rehearse/questions/tests/api/test_question_bodies.py, accounts/tests/test_users_api.py.)
A non-JSON body is 415, broken JSON 400, a body over the limit 413, an unknown field
400 naming it: each a problem+json document, and nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role, grant_role
from rehearse.practice.tests.factories import CardFactory
from rehearse.questions.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db

# method, path, a valid body (the unknown-field case adds one field to it).
ENDPOINTS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "POST",
        "/api/v1/auth/register/",
        {"email": "new@example.org", "password": "a long passphrase 1"},
    ),
    (
        "POST",
        "/api/v1/auth/token/",
        {"email": "admin@example.org", "password": "a long passphrase"},
    ),
    ("POST", "/api/v1/auth/token/refresh/", {"refresh": "x"}),
    ("POST", "/api/v1/auth/logout/", {}),
    ("POST", "/api/v1/auth/password/", {"current_password": "a", "new_password": "b"}),
    ("PATCH", "/api/v1/me/", {"display_name": "Ada"}),
    ("POST", "/api/v1/practice/enrolments/", {"topic": "recursion"}),
    ("POST", "/api/v1/practice/cards/", {"question": "{question}"}),
    ("POST", "/api/v1/practice/reviews/", {"card": "{card}", "rating": "good", "duration_ms": 900}),
    ("POST", "/api/v1/practice/interviews/", {"topics": ["recursion"], "count": 1}),
    ("POST", "/api/v1/katas/factorial/run", {"args": [3]}),
    ("POST", "/api/v1/katas/factorial/submissions/", {"code": "def factorial(n): pass"}),
    (
        "POST",
        "/api/v1/oauth/applications/",
        {"name": "App", "client_type": "public", "redirect_uris": ["https://app.example/cb"]},
    ),
]

TABLES = (
    "accounts.User",
    "practice.Card",
    "practice.ReviewLog",
    "practice.Enrolment",
    "practice.Interview",
    "katas.Submission",
    "oauth2_provider.Application",
)


def counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in TABLES}


@pytest.fixture
def client_and_ids() -> tuple[APIClient, dict[str, int]]:
    admin = User.objects.create_user("admin@example.org", "a long passphrase", is_staff=True)
    grant_role(admin, Role.LEARNER)
    topic = TopicFactory(slug="recursion")
    question = QuestionFactory(topic=topic)
    card = CardFactory(user=admin, question=question)
    client = APIClient()
    client.force_authenticate(admin)
    return client, {"question": question.pk, "card": card.pk}


def fill(body: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    return {
        key: ids[value[1:-1]] if isinstance(value, str) and value[:1] == "{" else value
        for key, value in body.items()
    }


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:400]
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


CASES = [
    pytest.param(method, path, body, id=f"{method} {path}") for method, path, body in ENDPOINTS
]


@pytest.mark.parametrize(("method", "path", "body"), CASES)
def test_a_form_body_is_415(
    client_and_ids: Any, method: str, path: str, body: dict[str, Any]
) -> None:
    client, _ = client_and_ids
    before = counts()
    response = client.generic(
        method, path, "a=1&b=2", content_type="application/x-www-form-urlencoded"
    )
    problem(response, 415)
    assert counts() == before


@pytest.mark.parametrize(("method", "path", "body"), CASES)
def test_malformed_json_is_400(
    client_and_ids: Any, method: str, path: str, body: dict[str, Any]
) -> None:
    client, _ = client_and_ids
    before = counts()
    response = client.generic(method, path, '{"unterminated": ', content_type="application/json")
    assert problem(response, 400)["type"] == "/problems/malformed-request"
    assert counts() == before


@pytest.mark.parametrize(("method", "path", "body"), CASES)
def test_a_body_over_the_limit_is_413(
    client_and_ids: Any, settings: Any, method: str, path: str, body: dict[str, Any]
) -> None:
    client, ids = client_and_ids
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    payload = json.dumps({**fill(body, ids), "padding": "x" * 8192})
    before = counts()
    problem(client.generic(method, path, payload, content_type="application/json"), 413)
    assert counts() == before


@pytest.mark.parametrize(("method", "path", "body"), CASES)
def test_an_unknown_field_is_400_naming_it(
    client_and_ids: Any, method: str, path: str, body: dict[str, Any]
) -> None:
    client, ids = client_and_ids
    payload = json.dumps({**fill(body, ids), "is_superuser": True})
    before = counts()
    response = client.generic(method, path, payload, content_type="application/json")
    assert "is_superuser" in problem(response, 400)["errors"]
    assert counts() == before
