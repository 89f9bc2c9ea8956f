"""Bad requests to the read API: each a 4xx problem+json document, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing
from rest_framework.test import APIClient

from rehearse.questions.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/questions/"


def assert_problem(response: Any, status: int, *, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert body["title"]
    assert body["detail"]
    if field is not None:
        assert field in body["errors"], body
        assert all(isinstance(message, str) for message in body["errors"][field])
    return body


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"difficulty": "extreme"}, "difficulty"),
        ({"status": "deleted"}, "status"),
        ({"topic": "x" * 81}, "topic"),
        ({"tag": "x" * 51}, "tag"),
        ({"ordering": "password"}, "ordering"),
        ({"ordering": "author__password"}, "ordering"),
        ({"search": "x" * 201}, "search"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_bad_query_parameter_is_a_400_naming_the_field(
    api_client: APIClient, params: dict[str, str], field: str
) -> None:
    QuestionFactory()
    body = assert_problem(api_client.get(URL, params), 400, field=field)
    assert body["type"] == "/problems/validation-error"


def test_tampered_cursor_is_refused(api_client: APIClient) -> None:
    for _ in range(3):
        QuestionFactory()
    next_url = api_client.get(URL, {"page_size": "1"}).json()["next"]
    token = next_url.split("cursor=")[1].split("&")[0]
    forged = signing.dumps({"o": ["-created_at", "-pk"], "v": ["not-a-date", 1], "r": False})
    assert_problem(api_client.get(URL, {"page_size": "1", "cursor": forged}), 400, field="cursor")
    assert_problem(
        api_client.get(URL, {"page_size": "1", "cursor": token[:-2] + "xx"}), 400, field="cursor"
    )


def test_cursor_from_another_ordering_is_refused(api_client: APIClient) -> None:
    for _ in range(3):
        QuestionFactory()
    next_url = api_client.get(URL, {"page_size": "1", "ordering": "title"}).json()["next"]
    token = next_url.split("cursor=")[1].split("&")[0]
    assert_problem(api_client.get(URL, {"cursor": token, "page_size": "1"}), 400, field="cursor")


@pytest.mark.parametrize("path", [f"{URL}999999/", f"{URL}abc/", "/api/v1/topics/nope/"])
def test_unknown_object_is_a_404_problem(api_client: APIClient, path: str) -> None:
    assert_problem(api_client.get(path), 404)


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/nope", "/api/v2/questions/"])
def test_unknown_api_path_is_a_404_problem(api_client: APIClient, path: str) -> None:
    assert_problem(api_client.get(path), 404)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_method_not_allowed_is_a_405_problem(api_client: APIClient, method: str) -> None:
    from rehearse.accounts.models import User

    question = QuestionFactory()
    api_client.force_authenticate(User.objects.create_user("u@example.org", "pw-long-enough-1"))
    # The write routes that exist (POST on the list; PUT, PATCH, DELETE on an item) are
    # tested in test_authoring.py; these are the ones that do not.
    path = f"{URL}{question.pk}/" if method == "post" else URL
    body = assert_problem(getattr(api_client, method)(path, {}, format="json"), 405)
    assert method.upper() in body["detail"]


def test_unacceptable_accept_header_is_a_406_problem(api_client: APIClient) -> None:
    assert_problem(api_client.get(URL, HTTP_ACCEPT="application/xml"), 406)


def test_oversized_body_is_a_413_problem(api_client: APIClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api_client.generic(
        "POST", URL, "{" + " " * 2048 + "}", content_type="application/json"
    )
    assert_problem(response, 413)
