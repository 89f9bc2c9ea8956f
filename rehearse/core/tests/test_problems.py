"""The error format: every failure, whoever raises it, is an RFC 9457 document."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework import exceptions

from rehearse.core.exceptions import DomainError, flatten_errors, problem_exception_handler


def test_flatten_errors_names_nested_fields() -> None:
    detail = {
        "title": ["Too long."],
        "tags": {"0": ["Bad tag."]},
        "non_field_errors": ["Pick one."],
        "items": [{"name": ["Required."]}, {}],
    }
    assert flatten_errors(detail) == {
        "title": ["Too long."],
        "tags.0": ["Bad tag."],
        "non_field_errors": ["Pick one."],
        "items.0.name": ["Required."],
    }


def test_validation_error_becomes_a_problem_with_errors() -> None:
    response = problem_exception_handler(exceptions.ValidationError({"email": ["Bad."]}), {})
    assert response is not None
    assert response.status_code == 400
    assert response.data == {
        "type": "/problems/validation-error",
        "title": "Your request parameters didn't validate.",
        "status": 400,
        "detail": "Invalid input in: email.",
        "errors": {"email": ["Bad."]},
    }


def test_domain_error_keeps_its_status_and_extensions() -> None:
    class QuestionLocked(DomainError):
        status = 409

    response = problem_exception_handler(QuestionLocked("Already published.", state="x"), {})
    assert response is not None
    assert response.status_code == 409
    assert response.data["detail"] == "Already published."
    assert response.data["state"] == "x"


def test_throttled_carries_retry_after() -> None:
    response = problem_exception_handler(exceptions.Throttled(wait=12), {})
    assert response is not None
    assert response.status_code == 429
    assert response["Retry-After"] == "12"
    assert response.data["type"] == "/problems/throttled"


@pytest.mark.urls("rehearse.core.tests.urls_failing")
def test_unhandled_error_in_an_api_view_is_a_500_problem(db: None) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/failing/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/server-error"
    assert "boom" not in response.content.decode()  # no internals leak to the client


@pytest.mark.urls("rehearse.core.tests.urls_failing")
def test_unhandled_error_in_a_page_stays_html() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/failing-page/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_unknown_page_outside_the_api_is_html(client: Client, db: None) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
