"""The pages' Content-Security-Policy, and pages that need nothing it forbids."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import get_resolver

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role
from rehearse.practice.services import enrolment_create
from rehearse.questions.models import Topic

pytestmark = pytest.mark.django_db

INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script without src
    re.compile(r"<style\b", re.I),
    re.compile(r"\sstyle\s*=", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),  # onclick=, onload=...
    re.compile(r"javascript:", re.I),
]


def page_paths(recursion: Topic) -> list[str]:
    question = recursion.questions.first()
    assert question is not None
    return [
        "/",
        "/signup/",
        "/accounts/login/",
        "/accounts/profile/",
        "/accounts/password/",
        "/bank/",
        "/bank/recursion/",
        "/questions/",
        f"/questions/{question.pk}/",
        "/review/",
        "/interviews/",
        "/progress/",
        "/katas/",
        "/katas/factorial/",
        "/author/",
        "/author/new/",
        "/moderation/",
        "/no-such-page/",
    ]


def test_the_policy_allows_only_rehearse_itself() -> None:
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_every_page_sends_the_policy_and_needs_no_inline_code(
    recursion: Topic, make_user: Callable[..., User]
) -> None:
    user: User = make_user("everyone@example.org", Role.MODERATOR)
    enrolment_create(user=user, topic=recursion)
    for signed_in in (False, True):
        client = Client()
        if signed_in:
            client.force_login(user)
        for path in page_paths(recursion):
            response = client.get(path)
            if path == "/no-such-page/":
                assert response.status_code == 404
            elif signed_in and path != "/signup/":  # a signed-in visitor is sent home
                assert response.status_code == 200, path
            else:
                assert response.status_code in (200, 302), path
            if response.status_code == 302:  # to a page swept too
                continue
            assert "Content-Security-Policy" in response, path
            html = response.content.decode()
            for pattern in INLINE:
                assert not pattern.search(html), f"{path}: {pattern.pattern}"


def test_the_api_and_admin_keep_their_own_headers(learner_client: Client) -> None:
    assert "Content-Security-Policy" not in Client().get("/api/v1/questions/")
    assert "Content-Security-Policy" not in Client().get("/admin/login/")


def test_every_page_route_is_covered_by_the_sweep(recursion: Topic) -> None:
    """A new page must be added to the sweep above (and to the browser tests)."""
    resolver = get_resolver()
    web = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "web")
    routes = {str(pattern.pattern) for pattern in web.url_patterns}
    # Pages of one object (or POST-only routes), swept by the browser tests instead.
    need_an_object = {
        "bank/<slug:slug>/enrolment/",
        "accounts/logout/",
        "moderation/<int:pk>/",
        "interviews/<int:pk>/",
        "katas/<slug:slug>/submissions/<int:pk>/",
        "author/<int:pk>/",
    }
    swept = {re.sub(r"\d+", "<int:pk>", p.lstrip("/")) for p in page_paths(recursion)}
    swept = {
        path.replace("recursion/", "<slug:slug>/").replace("factorial/", "<slug:slug>/")
        for path in swept
    }
    assert routes - need_an_object - swept == set()


def test_an_id_past_any_column_is_a_404_not_a_500(
    recursion: Topic, make_user: Callable[..., User]
) -> None:
    client = Client()
    client.force_login(make_user("ids@example.org", Role.MODERATOR))
    huge = "9" * 30
    for path in [
        f"/questions/{huge}/",
        f"/interviews/{huge}/",
        f"/katas/factorial/submissions/{huge}/",
        f"/author/{huge}/",
    ]:
        assert client.get(path).status_code == 404, path
    assert client.post(f"/moderation/{huge}/", {"action": "publish"}).status_code == 404
