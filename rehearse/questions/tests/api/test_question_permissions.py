"""Who may do what to which question: every write endpoint x every persona.

401: no credentials. 403: signed in, but the role does not allow the action, or the
question is visible but not theirs to change. 404: a question they cannot see (another
author's draft), even though it exists. 409: theirs to act on, but not in this state.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role, revoke_role
from rehearse.questions.models import Question, QuestionStatus, QuestionTransition
from rehearse.questions.tests.conftest import PERSONAS, Bank, Personas

pytestmark = pytest.mark.django_db
URL = "/api/v1/questions/"

CREATE = {"topic": "jwt", "title": "What is a refresh token?", "prompt": "Explain."}

# (method, action, target state, body): status for each persona, in the order of
# PERSONAS:  anonymous, learner, author, outsider, moderator, admin.
MATRIX: list[tuple[str, str, str | None, dict[str, Any] | None, tuple[int, ...]]] = [
    ("POST", "", None, CREATE, (401, 403, 201, 201, 201, 403)),
    ("GET", "", "draft", None, (404, 404, 200, 404, 200, 200)),
    ("GET", "", "published", None, (200, 200, 200, 200, 200, 200)),
    ("PATCH", "", "draft", {"title": "Better"}, (401, 403, 200, 404, 200, 403)),
    ("PATCH", "", "in_review", {"title": "Better"}, (401, 403, 409, 404, 200, 403)),
    ("PATCH", "", "published", {"title": "Better"}, (401, 403, 409, 403, 200, 403)),
    ("PUT", "", "draft", {**CREATE, "title": "Better"}, (401, 403, 200, 404, 200, 403)),
    ("DELETE", "", "draft", None, (401, 403, 204, 404, 204, 403)),
    ("DELETE", "", "in_review", None, (401, 403, 409, 404, 204, 403)),
    ("DELETE", "", "published", None, (401, 403, 409, 403, 204, 403)),
    ("POST", "submit", "draft", None, (401, 403, 200, 404, 200, 403)),
    ("POST", "submit", "published", None, (401, 403, 409, 403, 409, 403)),
    ("POST", "publish", "in_review", None, (401, 403, 403, 403, 200, 403)),
    ("POST", "publish", "draft", None, (401, 403, 403, 403, 409, 403)),
    ("POST", "reject", "in_review", {"reason": "Cite a source."}, (401, 403, 403, 403, 200, 403)),
    ("POST", "reject", "published", {"reason": "Cite a source."}, (401, 403, 403, 403, 409, 403)),
    ("POST", "unpublish", "published", None, (401, 403, 403, 403, 200, 403)),
    ("POST", "unpublish", "in_review", None, (401, 403, 403, 403, 409, 403)),
    ("GET", "history", "draft", None, (401, 403, 403, 403, 200, 200)),
    ("GET", "history", "published", None, (401, 403, 403, 403, 200, 200)),
]

CASES = [
    pytest.param(
        method,
        action,
        target,
        body,
        persona,
        expected,
        id=f"{method} {target or 'list'}{'/' + action if action else ''} {persona} {expected}",
    )
    for method, action, target, body, statuses in MATRIX
    for persona, expected in zip(PERSONAS, statuses, strict=True)
]


def snapshot() -> list[tuple[Any, ...]]:
    return [
        *Question.objects.order_by("pk").values_list("pk", "title", "status", "published_at"),
        *QuestionTransition.objects.order_by("pk").values_list("pk"),
    ]


@pytest.mark.parametrize(("method", "action", "target", "body", "persona", "expected"), CASES)
def test_access(
    personas: Personas,
    bank: Bank,
    method: str,
    action: str,
    target: str | None,
    body: dict[str, Any] | None,
    persona: str,
    expected: int,
) -> None:
    url = URL if target is None else f"{URL}{bank[target].pk}/"
    if action:
        url += f"{action}/"
    before = snapshot()
    response = personas.client(persona).generic(
        method, url, "" if body is None else json.dumps(body), content_type="application/json"
    )
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert snapshot() == before, "a refused request wrote something"
    if expected == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
    if expected == 409:
        assert response.json()["current_status"] == QuestionStatus(bank[target or ""].status)


def test_author_cannot_publish_own_draft(personas: Personas, bank: Bank) -> None:
    client = personas.client("author")
    assert client.post(f"{URL}{bank.draft.pk}/submit/").status_code == 200
    response = client.post(f"{URL}{bank.draft.pk}/publish/")
    assert response.status_code == 403
    bank.draft.refresh_from_db()
    assert bank.draft.status == QuestionStatus.IN_REVIEW


def test_another_authors_draft_is_invisible(personas: Personas, bank: Bank) -> None:
    listing = personas.client("outsider").get(URL).json()["results"]
    assert {item["title"] for item in listing} == {"Published"}
    own = personas.client("author").get(URL).json()["results"]
    assert {item["title"] for item in own} == {"Draft", "In review", "Published"}


def test_a_revoked_author_can_no_longer_change_their_draft(personas: Personas, bank: Bank) -> None:
    revoke_role(personas.author, Role.AUTHOR)
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=personas.author.pk))  # no cached perms
    response = client.patch(f"{URL}{bank.draft.pk}/", {"title": "Sneaky"})
    assert response.status_code == 403
    # They still see their own question: visibility follows ownership, not the role.
    assert client.get(f"{URL}{bank.draft.pk}/").status_code == 200
