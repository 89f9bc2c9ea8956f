"""Every endpoint outside the question workflow x every persona: the status the rules say.

The question authoring workflow has its own, finer matrix
(rehearse/questions/tests/api/test_question_permissions.py). The rules here:

- anonymous: 401 wherever an account is needed (with a Bearer challenge);
- a signed-in user: their own objects only, others' are 404 (not 403: their
  existence is not confirmed);
- admin-only endpoints: 403 for everyone signed in but staff;
- a method an endpoint does not have: 405 once authenticated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role, grant_role
from rehearse.katas.models import Submission
from rehearse.practice.tests.factories import CardFactory
from rehearse.questions.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "learner", "author", "moderator", "admin", "outsider")
FACTORIAL = "def factorial(n):\n    return 1 if n == 0 else n * factorial(n - 1)\n"

# method, path (formatted with the fixture's ids), body, statuses in PERSONAS order.
MATRIX: list[tuple[str, str, dict[str, Any] | None, tuple[int, ...]]] = [
    # accounts: public endpoints validate their body for everyone
    ("POST", "/api/v1/auth/register/", {}, (400, 400, 400, 400, 400, 400)),
    ("POST", "/api/v1/auth/token/", {}, (400, 400, 400, 400, 400, 400)),
    ("POST", "/api/v1/auth/token/refresh/", {}, (400, 400, 400, 400, 400, 400)),
    ("GET", "/api/v1/auth/token/", None, (405, 405, 405, 405, 405, 405)),
    ("POST", "/api/v1/auth/logout/", {}, (401, 204, 204, 204, 204, 204)),
    ("POST", "/api/v1/auth/password/", {}, (401, 400, 400, 400, 400, 400)),
    ("GET", "/api/v1/me/", None, (401, 200, 200, 200, 200, 200)),
    ("PATCH", "/api/v1/me/", {"display_name": "New"}, (401, 200, 200, 200, 200, 200)),
    ("PUT", "/api/v1/me/", {"display_name": "New"}, (401, 405, 405, 405, 405, 405)),
    ("DELETE", "/api/v1/me/", None, (401, 405, 405, 405, 405, 405)),
    # users and roles: admins only
    ("GET", "/api/v1/users/", None, (401, 403, 403, 403, 200, 403)),
    ("GET", "/api/v1/users/{learner}/", None, (401, 403, 403, 403, 200, 403)),
    ("PATCH", "/api/v1/users/{learner}/", {"display_name": "X"}, (401, 403, 403, 403, 200, 403)),
    (
        "PUT",
        "/api/v1/users/{learner}/roles/",
        {"roles": ["author"]},
        (401, 403, 403, 403, 200, 403),
    ),
    ("DELETE", "/api/v1/users/{learner}/", None, (401, 403, 403, 403, 405, 403)),
    # the bank is public to read, closed to write through these endpoints
    ("GET", "/api/v1/topics/", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/topics/recursion/", None, (200, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/topics/", {"slug": "x"}, (401, 405, 405, 405, 405, 405)),
    ("GET", "/api/v1/questions/", None, (200, 200, 200, 200, 200, 200)),
    # practice: signed in, own objects only
    ("GET", "/api/v1/practice/due/", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/practice/cards/", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/practice/cards/{card}/", None, (401, 200, 404, 404, 404, 404)),
    ("POST", "/api/v1/practice/cards/{card}/suspend/", None, (401, 200, 404, 404, 404, 404)),
    ("DELETE", "/api/v1/practice/cards/{card}/", None, (401, 405, 405, 405, 405, 405)),
    (
        "POST",
        "/api/v1/practice/enrolments/",
        {"topic": "recursion"},
        (401, 201, 201, 201, 201, 201),
    ),
    ("GET", "/api/v1/practice/reviews/", None, (401, 200, 200, 200, 200, 200)),
    (
        "POST",
        "/api/v1/practice/reviews/",
        {"card": "{card}", "rating": "good", "duration_ms": 1500},
        (401, 201, 404, 404, 404, 404),
    ),
    ("GET", "/api/v1/practice/interviews/", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/practice/progress/topics/", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/practice/progress/activity/", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/practice/progress/streak/", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/practice/progress/forecast/", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/practice/export/", None, (401, 200, 200, 200, 200, 200)),
    # katas: the catalog is public; submissions are per user
    ("GET", "/api/v1/katas/", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/katas/factorial/", None, (200, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/katas/factorial/run", {"args": [5]}, (200, 200, 200, 200, 200, 200)),
    ("DELETE", "/api/v1/katas/factorial/", None, (405, 405, 405, 405, 405, 405)),
    ("GET", "/api/v1/katas/factorial/submissions/", None, (401, 200, 200, 200, 200, 200)),
    (
        "POST",
        "/api/v1/katas/factorial/submissions/",
        {"code": FACTORIAL},
        (401, 201, 201, 201, 201, 201),
    ),
    (
        "GET",
        "/api/v1/katas/factorial/submissions/{submission}/",
        None,
        (401, 200, 404, 404, 404, 404),
    ),
]


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, int]


@pytest.fixture
def world() -> World:
    topic = TopicFactory(slug="recursion", title="Recursion")
    question = QuestionFactory(topic=topic)
    users: dict[str, User] = {}
    for name in PERSONAS[1:]:
        user = User.objects.create_user(
            f"{name}@example.org", "a long enough passphrase", is_staff=name == "admin"
        )
        grant_role(user, Role.LEARNER)
        if name in ("author", "moderator"):
            grant_role(user, Role(name))
        users[name] = user
    learner = users["learner"]
    card = CardFactory(user=learner, question=question)
    submission = Submission.objects.create(
        user=learner, kata="factorial", code=FACTORIAL, verdict="passed", duration_ms=5
    )
    return World(users, {"learner": learner.pk, "card": card.pk, "submission": submission.pk})


def fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


CASES = [
    pytest.param(method, path, body, persona, status, id=f"{method} {path} {persona}")
    for method, path, body, statuses in MATRIX
    for persona, status in zip(PERSONAS, statuses, strict=True)
]


@pytest.mark.parametrize(("method", "path", "body", "persona", "status"), CASES)
def test_endpoint_answers_each_persona_as_the_rules_say(
    world: World, method: str, path: str, body: dict[str, Any] | None, persona: str, status: int
) -> None:
    client = APIClient()
    if persona != "anonymous":
        client.force_authenticate(world.users[persona])
    url = path.format(**world.ids)
    data = "" if body is None else json.dumps(fill(body, world.ids))
    response = client.generic(method, url, data=data, content_type="application/json")
    assert response.status_code == status, response.content[:500]
    if status >= 400:
        assert response["Content-Type"] == "application/problem+json"
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_matrix_covers_every_persona_on_every_row() -> None:
    assert all(len(statuses) == len(PERSONAS) for *_, statuses in MATRIX)
