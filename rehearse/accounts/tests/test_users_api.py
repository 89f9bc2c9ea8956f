"""/api/v1/users/: admins list and change accounts and set their roles."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role, roles_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/users/"
MakeUser = Callable[..., User]


def as_user(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user("admin@example.org", is_staff=True)


@pytest.fixture
def admin_client(admin: User) -> APIClient:
    return as_user(admin)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


# -- who may ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("learner", 403), ("moderator", 403), ("admin", 200)],
)
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("GET", "{id}/", None),
        ("PATCH", "{id}/", {"display_name": "Renamed"}),
        ("PUT", "{id}/roles/", {"roles": ["author"]}),
    ],
)
def test_only_admins_manage_users(
    make_user: MakeUser,
    admin: User,
    who: str,
    expected: int,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    target = make_user("target@example.org")
    actors = {
        "anonymous": None,
        "learner": make_user("someone@example.org"),
        "moderator": make_user("mod@example.org", Role.MODERATOR),
        "admin": admin,
    }
    response = as_user(actors[who]).generic(
        method,
        URL + suffix.format(id=target.pk),
        "" if body is None else json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        target.refresh_from_db()
        assert (target.display_name, roles_of(target)) == ("", ["learner"])
    if expected == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("method", "url"),
    [("POST", URL), ("PUT", f"{URL}1/"), ("DELETE", f"{URL}1/"), ("GET", f"{URL}1/roles/")],
)
def test_what_the_api_does_not_do_is_405(admin_client: APIClient, method: str, url: str) -> None:
    response = admin_client.generic(method, url, "{}", content_type="application/json")
    assert response.status_code == 405


# -- list and retrieve --------------------------------------------------------------------


def test_list_shows_accounts_with_their_roles_newest_first(
    admin_client: APIClient, make_user: MakeUser
) -> None:
    make_user("author@example.org", Role.AUTHOR, display_name="Ada")
    results = ok(admin_client.get(URL))["results"]
    assert [user["email"] for user in results] == ["author@example.org", "admin@example.org"]
    author = results[0]
    assert author["roles"] == ["learner", "author"]
    assert author["display_name"] == "Ada"
    assert {"id", "is_active", "is_staff", "date_joined", "last_login", "time_zone"} <= set(author)
    assert "password" not in author


def test_list_filters(admin_client: APIClient, make_user: MakeUser) -> None:
    make_user("author@example.org", Role.AUTHOR, display_name="Ada Lovelace")
    make_user("mod@example.org", Role.MODERATOR)
    make_user("gone@example.org", is_active=False)

    def emails(**params: str) -> list[str]:
        return sorted(user["email"] for user in ok(admin_client.get(URL, params))["results"])

    assert emails(role="moderator") == ["mod@example.org"]
    assert emails(role="author", is_active="true") == ["author@example.org"]
    assert emails(is_active="false") == ["gone@example.org"]
    assert emails(is_staff="true") == ["admin@example.org"]
    assert emails(search="lovelace") == ["author@example.org"]
    assert emails(search="MOD@") == ["mod@example.org"]
    ordered = ok(admin_client.get(URL, {"ordering": "email"}))["results"]
    assert [user["email"] for user in ordered] == sorted(user["email"] for user in ordered)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "god"}, "role"),
        ({"is_active": "maybe"}, "is_active"),
        ({"is_staff": "yes"}, "is_staff"),
        ({"ordering": "password"}, "ordering"),
        ({"search": "x" * 255}, "search"),
    ],
)
def test_bad_filter_is_a_400_naming_it(
    admin_client: APIClient, params: dict[str, str], field: str
) -> None:
    response = admin_client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_list_query_count_does_not_grow_with_the_page(
    admin_client: APIClient, make_user: MakeUser
) -> None:
    for number in range(6):
        make_user(f"user{number}@example.org", Role.AUTHOR)
    with CaptureQueriesContext(connection) as small:
        assert len(ok(admin_client.get(URL, {"page_size": 1}))["results"]) == 1
    with CaptureQueriesContext(connection) as large:
        assert len(ok(admin_client.get(URL, {"page_size": 7}))["results"]) == 7
    assert len(large) == len(small)


def test_retrieve_and_unknown_user(admin_client: APIClient, make_user: MakeUser) -> None:
    user = make_user("someone@example.org")
    assert ok(admin_client.get(f"{URL}{user.pk}/"))["email"] == "someone@example.org"
    response = admin_client.get(f"{URL}999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


# -- change -------------------------------------------------------------------------------


def test_admin_changes_a_profile(admin_client: APIClient, make_user: MakeUser) -> None:
    user = make_user("someone@example.org")
    body = ok(
        admin_client.patch(f"{URL}{user.pk}/", {"display_name": "Grace", "daily_review_limit": 20})
    )
    assert (body["display_name"], body["daily_review_limit"]) == ("Grace", 20)
    user.refresh_from_db()
    assert user.display_name == "Grace"


def test_deactivating_revokes_every_token(admin_client: APIClient, make_user: MakeUser) -> None:
    from rehearse.accounts.tokens import tokens_issue

    user = make_user("someone@example.org")
    access = tokens_issue(user=user).access
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert bearer.get("/api/v1/questions/").status_code == 200
    assert ok(admin_client.patch(f"{URL}{user.pk}/", {"is_active": False}))["is_active"] is False
    user.refresh_from_db()
    assert user.token_version == 1
    assert bearer.get("/api/v1/questions/").status_code == 401


def test_admin_cannot_deactivate_themselves(admin_client: APIClient, admin: User) -> None:
    response = admin_client.patch(f"{URL}{admin.pk}/", {"is_active": False})
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    admin.refresh_from_db()
    assert admin.is_active


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"is_staff": True}, "is_staff", "read-only"),
        ({"email": "new@example.org"}, "email", "read-only"),
        ({"roles": ["moderator"]}, "roles", "read-only"),
        ({"password": "x"}, "password", "Unknown"),
        ({"is_superuser": True}, "is_superuser", "Unknown"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "IANA"),
        ({"daily_review_limit": 0}, "daily_review_limit", ""),
        ({"is_active": "sometimes"}, "is_active", ""),
    ],
)
def test_patch_refuses_fields_it_does_not_take(
    admin_client: APIClient, make_user: MakeUser, body: dict[str, Any], field: str, message: str
) -> None:
    user = make_user("someone@example.org")
    before = User.objects.filter(pk=user.pk).values().get()
    response = admin_client.patch(f"{URL}{user.pk}/", body)
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["errors"][field])
    assert User.objects.filter(pk=user.pk).values().get() == before


# -- roles --------------------------------------------------------------------------------


def test_put_roles_replaces_them_and_keeps_learner(
    admin_client: APIClient, make_user: MakeUser
) -> None:
    user = make_user("someone@example.org", Role.MODERATOR)
    staff_group = Group.objects.create(name="newsletter")  # not a role: left alone
    user.groups.add(staff_group)
    url = f"{URL}{user.pk}/roles/"
    assert ok(admin_client.put(url, {"roles": ["author"]}))["roles"] == ["learner", "author"]
    assert ok(admin_client.put(url, {"roles": ["moderator", "author"]}))["roles"] == [
        "learner",
        "author",
        "moderator",
    ]
    assert ok(admin_client.put(url, {"roles": []}))["roles"] == ["learner"]
    assert ok(admin_client.put(url, {"roles": ["learner", "learner"]}))["roles"] == ["learner"]
    assert user.groups.filter(name="newsletter").exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"roles": ["admin"]}, {"roles": "author"}, {"roles": ["author"], "extra": 1}],
)
def test_put_roles_refuses_bad_bodies(
    admin_client: APIClient, make_user: MakeUser, body: dict[str, Any]
) -> None:
    user = make_user("someone@example.org", Role.AUTHOR)
    response = admin_client.put(f"{URL}{user.pk}/roles/", body)
    assert response.status_code == 400
    assert roles_of(user) == ["learner", "author"]


def test_a_granted_role_takes_effect_at_once(admin_client: APIClient, make_user: MakeUser) -> None:
    from rehearse.questions.tests.factories import TopicFactory

    TopicFactory(slug="jwt")
    user = make_user("someone@example.org")
    body = {"topic": "jwt", "title": "Why rotate refresh tokens?", "prompt": "Explain."}
    assert as_user(user).post("/api/v1/questions/", body).status_code == 403
    ok(admin_client.put(f"{URL}{user.pk}/roles/", {"roles": ["author"]}))
    fresh = User.objects.get(pk=user.pk)  # a new request loads the user afresh
    assert as_user(fresh).post("/api/v1/questions/", body).status_code == 201


# -- bodies -------------------------------------------------------------------------------

WRITES = [("PATCH", "{id}/", {"display_name": "X"}), ("PUT", "{id}/roles/", {"roles": []})]


@pytest.mark.parametrize(("method", "suffix", "valid"), WRITES)
@pytest.mark.parametrize(
    ("content_type", "raw", "status"),
    [
        ("text/plain", "display_name=X", 415),
        ("application/x-www-form-urlencoded", "display_name=X", 415),
        ("application/json", '{"roles": [', 400),
        ("application/json", "[]", 400),
        ("application/json", '{"colour": "red"}', 400),
    ],
)
def test_bad_bodies_are_refused_and_write_nothing(
    admin_client: APIClient,
    make_user: MakeUser,
    method: str,
    suffix: str,
    valid: dict[str, Any],
    content_type: str,
    raw: str,
    status: int,
) -> None:
    user = make_user("someone@example.org", Role.AUTHOR)
    before = (User.objects.filter(pk=user.pk).values().get(), roles_of(user))
    url = URL + suffix.format(id=user.pk)
    response = admin_client.generic(method, url, raw, content_type=content_type)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert (User.objects.filter(pk=user.pk).values().get(), roles_of(user)) == before
    # The same request with a good body goes through.
    assert (
        admin_client.generic(method, url, json.dumps(valid), "application/json").status_code == 200
    )


@pytest.mark.parametrize(("method", "suffix", "valid"), WRITES)
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_body_over_the_limit_is_413(
    admin_client: APIClient, make_user: MakeUser, method: str, suffix: str, valid: dict[str, Any]
) -> None:
    user = make_user("someone@example.org", Role.AUTHOR)
    before = (User.objects.filter(pk=user.pk).values().get(), roles_of(user))
    raw = json.dumps({**valid, "padding": "x" * 2048})
    response = admin_client.generic(
        method, URL + suffix.format(id=user.pk), raw, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert (User.objects.filter(pk=user.pk).values().get(), roles_of(user)) == before
