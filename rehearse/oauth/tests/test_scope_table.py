"""Every API endpoint x every scope -> the status the rules say, from one table.

``MATRIX`` states, for each endpoint of the URLconf under /api/v1/, the scope it needs
and what a token holding exactly that scope gets (sample paths name objects that do not
exist, so a detail endpoint answers 404: the request got past the scope check). Any
other scope gets 403 naming the one needed. ``FIRST_PARTY`` endpoints refuse every
OAuth2 token; ``NOT_READ`` ones (signing up and in) never look at credentials.

``test_every_api_endpoint_is_in_the_table`` walks the URLconf: a new endpoint fails it
until it is added both here and to ``rehearse.oauth.scopes.RULES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role
from rehearse.oauth.scopes import RULES, SCOPES
from rehearse.oauth.tests.conftest import make_token

SAMPLE_KWARGS = {"pk": "999999", "slug": "factorial", "position": "1"}
FIRST_PARTY = "first-party only"
NOT_READ = "credentials not read"

QR, QW = "questions:read", "questions:write"
PR, PW = "practice:read", "practice:write"

# (URL name, method): (scope needed, status with exactly that scope)
MATRIX: dict[tuple[str, str], tuple[str, int]] = {
    ("api-root", "GET"): (QR, 200),
    ("topic-list", "GET"): (QR, 200),
    ("topic-detail", "GET"): (QR, 404),
    ("question-list", "GET"): (QR, 200),
    ("question-list", "POST"): (QW, 400),
    ("question-detail", "GET"): (QR, 404),
    ("question-detail", "PUT"): (QW, 404),
    ("question-detail", "PATCH"): (QW, 404),
    ("question-detail", "DELETE"): (QW, 404),
    ("question-history", "GET"): (QR, 404),
    ("question-submit", "POST"): (QW, 404),
    ("question-publish", "POST"): (QW, 404),
    ("question-reject", "POST"): (QW, 404),
    ("question-unpublish", "POST"): (QW, 404),
    ("kata-list", "GET"): (QR, 200),
    ("kata-detail", "GET"): (QR, 200),
    ("kata-run", "POST"): (QR, 400),  # computes, writes nothing
    ("kata-submission-list", "GET"): (PR, 200),
    ("kata-submission-list", "POST"): (PW, 400),
    ("kata-submission-detail", "GET"): (PR, 404),
    ("practice-due", "GET"): (PR, 200),
    ("practice-progress-topics", "GET"): (PR, 200),
    ("practice-progress-activity", "GET"): (PR, 200),
    ("practice-progress-streak", "GET"): (PR, 200),
    ("practice-progress-forecast", "GET"): (PR, 200),
    ("practice-export", "GET"): (PR, 200),
    ("practice-export-apkg", "GET"): (PR, 200),
    ("practice-export-csv", "GET"): (PR, 200),
    ("practice-enrolment-list", "GET"): (PR, 200),
    ("practice-enrolment-list", "POST"): (PW, 400),
    ("practice-enrolment-detail", "GET"): (PR, 404),
    ("practice-enrolment-detail", "DELETE"): (PW, 404),
    ("practice-card-list", "GET"): (PR, 200),
    ("practice-card-list", "POST"): (PW, 400),
    ("practice-card-detail", "GET"): (PR, 404),
    ("practice-card-bury", "POST"): (PW, 404),
    ("practice-card-reset", "POST"): (PW, 404),
    ("practice-card-suspend", "POST"): (PW, 404),
    ("practice-card-unsuspend", "POST"): (PW, 404),
    ("practice-review-list", "GET"): (PR, 200),
    ("practice-review-list", "POST"): (PW, 400),
    ("practice-review-detail", "GET"): (PR, 404),
    ("practice-interview-list", "GET"): (PR, 200),
    ("practice-interview-list", "POST"): (PW, 400),
    ("practice-interview-detail", "GET"): (PR, 404),
    ("practice-interview-answer", "PUT"): (PW, 404),
    ("practice-interview-finish", "POST"): (PW, 404),
    ("me", "GET"): ("profile", 200),
    ("me", "PATCH"): (FIRST_PARTY, 403),
    ("logout", "POST"): (FIRST_PARTY, 403),
    ("password-change", "POST"): (FIRST_PARTY, 403),
    ("user-list", "GET"): (FIRST_PARTY, 403),
    ("user-detail", "GET"): (FIRST_PARTY, 403),
    ("user-detail", "PATCH"): (FIRST_PARTY, 403),
    ("user-roles", "PUT"): (FIRST_PARTY, 403),
    ("oauth-application-list", "GET"): (FIRST_PARTY, 403),
    ("oauth-application-list", "POST"): (FIRST_PARTY, 403),
    ("oauth-application-detail", "GET"): (FIRST_PARTY, 403),
    ("oauth-application-detail", "PATCH"): (FIRST_PARTY, 403),
    ("oauth-application-detail", "DELETE"): (FIRST_PARTY, 403),
    ("register", "POST"): (NOT_READ, 400),
    ("token", "POST"): (NOT_READ, 400),
    ("token-refresh", "POST"): (NOT_READ, 400),
}


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str | None = None
) -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def _methods(pattern: URLPattern) -> list[str]:
    callback: Any = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return sorted(method.upper() for method in actions)
    view = callback.cls
    return sorted(
        method.upper()
        for method in view.http_method_names
        if method not in ("head", "options", "trace") and hasattr(view, method)
    )


def api_endpoints() -> list[tuple[str, str, str]]:
    """Every (URL name, method, sample path) the URLconf serves under /api/v1/."""
    seen: dict[tuple[str, str], str] = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        groups = pattern.pattern.regex.groupindex
        if not route.lstrip("^").startswith("api/v1/") or "format" in groups:
            continue  # format-suffix variants share the name of their endpoint
        kwargs = {key: SAMPLE_KWARGS[key] for key in groups}
        for method in _methods(pattern):
            seen.setdefault((name, method), reverse(name, kwargs=kwargs))
    return [(name, method, path) for (name, method), path in sorted(seen.items())]


ENDPOINTS = {(name, method): path for name, method, path in api_endpoints()}


def test_every_api_endpoint_is_in_the_table() -> None:
    assert set(ENDPOINTS) == set(MATRIX)
    assert {name for name, _ in ENDPOINTS} <= set(RULES)


def test_the_table_names_only_real_scopes() -> None:
    for rule in RULES.values():
        assert {rule.read, rule.write} <= {*SCOPES, None}


@pytest.fixture
def author(make_user: Callable[..., User]) -> User:
    # Author and moderator: with the scope, writes reach the view's own rules.
    return make_user("author@example.org", Role.AUTHOR, Role.MODERATOR)


def call(token: str, method: str, path: str) -> Any:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    if method == "GET":
        return client.get(path)
    return getattr(client, method.lower())(path, {}, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), sorted(MATRIX), ids="{0[0]} {0[1]}".format)
def test_endpoint_against_every_scope(
    name: str, method: str, author: User, public_app: Any
) -> None:
    needed, status_with_it = MATRIX[name, method]
    path = ENDPOINTS[name, method]
    for scope in [*SCOPES, ""]:
        response = call(make_token(public_app, author, scope), method, path)
        if needed == NOT_READ or scope == needed:
            assert response.status_code == status_with_it, (scope, response.content)
            continue
        assert response.status_code == 403, (scope, response.content)
        body = response.json()
        challenge = response["WWW-Authenticate"]
        assert 'error="insufficient_scope"' in challenge
        if needed == FIRST_PARTY:
            assert body["type"] == "/problems/first-party-only"
            assert body["required_scope"] is None
        else:
            assert body["type"] == "/problems/insufficient-scope"
            assert body["required_scope"] == needed
            assert needed in body["detail"]
            assert f'scope="{needed}"' in challenge


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
def test_head_and_options_need_the_read_scope(method: str, author: User, public_app: Any) -> None:
    client = APIClient()
    path = ENDPOINTS["practice-card-list", "GET"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(public_app, author, PR)}")
    assert client.generic(method, path).status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(public_app, author, PW)}")
    assert client.generic(method, path).status_code == 403
