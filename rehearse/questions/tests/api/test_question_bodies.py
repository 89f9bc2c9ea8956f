"""Bad request bodies on every write endpoint of the question API.

Each is refused with a problem+json document and writes nothing: not JSON -> 415,
broken JSON -> 400, too big -> 413, a field the endpoint does not take (unknown, or
read-only like ``status``) -> 400 naming it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings

from rehearse.questions.models import Question, QuestionTransition, Tag
from rehearse.questions.tests.conftest import Bank, Personas

pytestmark = pytest.mark.django_db
URL = "/api/v1/questions/"

# (name, persona, method, target question state or None, action or "", a valid body)
ENDPOINTS = [
    ("create", "author", "POST", None, "", {"topic": "jwt", "title": "T", "prompt": "P"}),
    ("put", "author", "PUT", "draft", "", {"topic": "jwt", "title": "T", "prompt": "P"}),
    ("patch", "author", "PATCH", "draft", "", {"title": "T"}),
    ("delete", "author", "DELETE", "draft", "", {}),
    ("submit", "author", "POST", "draft", "submit", {}),
    ("publish", "moderator", "POST", "in_review", "publish", {}),
    ("reject", "moderator", "POST", "in_review", "reject", {"reason": "Why not."}),
    ("unpublish", "moderator", "POST", "published", "unpublish", {}),
]

BAD_BODIES = [
    # (case, content type, body, status, problem type, field named)
    ("text", "text/plain", "title=T", 415, "unsupported-media-type", None),
    ("form", "application/x-www-form-urlencoded", "title=T", 415, "unsupported-media-type", None),
    ("broken json", "application/json", '{"title": ', 400, "malformed-request", None),
    ("json list", "application/json", "[]", 400, "validation-error", "non_field_errors"),
    ("unknown field", "application/json", None, 400, "validation-error", "colour"),
    ("read-only field", "application/json", None, 400, "validation-error", "status"),
]


def everything() -> list[Any]:
    return [
        list(Question.objects.order_by("pk").values()),
        list(Question.tags.through.objects.order_by("pk").values()),
        list(Tag.objects.order_by("pk").values()),
        list(QuestionTransition.objects.order_by("pk").values()),
    ]


def url_of(bank: Bank, target: str | None, action: str) -> str:
    url = URL if target is None else f"{URL}{bank[target].pk}/"
    return f"{url}{action}/" if action else url


@pytest.mark.parametrize(("name", "persona", "method", "target", "action", "valid"), ENDPOINTS)
@pytest.mark.parametrize(("case", "content_type", "raw", "status", "kind", "field"), BAD_BODIES)
def test_bad_body_is_refused_and_writes_nothing(
    personas: Personas,
    bank: Bank,
    name: str,
    persona: str,
    method: str,
    target: str | None,
    action: str,
    valid: dict[str, Any],
    case: str,
    content_type: str,
    raw: str | None,
    status: int,
    kind: str,
    field: str | None,
) -> None:
    if raw is None:
        extra = {"colour": "red"} if case == "unknown field" else {"status": "published"}
        raw = json.dumps({**valid, **extra})
    before = everything()
    response = personas.client(persona).generic(
        method, url_of(bank, target, action), raw, content_type=content_type
    )
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"/problems/{kind}"
    if field is not None:
        assert field in problem["errors"], problem
    assert everything() == before


@pytest.mark.parametrize(("name", "persona", "method", "target", "action", "valid"), ENDPOINTS)
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_body_over_the_limit_is_413_and_writes_nothing(
    personas: Personas,
    bank: Bank,
    name: str,
    persona: str,
    method: str,
    target: str | None,
    action: str,
    valid: dict[str, Any],
) -> None:
    before = everything()
    raw = json.dumps({**valid, "prompt": "x" * 2048})
    response = personas.client(persona).generic(
        method, url_of(bank, target, action), raw, content_type="application/json"
    )
    assert response.status_code == 413, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert "1024" in response.json()["detail"]
    assert everything() == before


@pytest.mark.parametrize(("name", "persona", "method", "target", "action", "valid"), ENDPOINTS)
def test_the_valid_body_of_each_endpoint_is_accepted(
    personas: Personas,
    bank: Bank,
    name: str,
    persona: str,
    method: str,
    target: str | None,
    action: str,
    valid: dict[str, Any],
) -> None:
    # The refusals above are about the body alone: the same request with a good body
    # succeeds.
    response = personas.client(persona).generic(
        method, url_of(bank, target, action), json.dumps(valid), content_type="application/json"
    )
    assert response.status_code in (200, 201, 204), response.content
