"""ETags, 304s and public caching of anonymous reads of the published bank."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from rehearse.accounts.models import User
from rehearse.core import conditional
from rehearse.core.conditional import BANK_VERSION_KEY, BankConditionalGetMiddleware
from rehearse.questions.models import Question, QuestionStatus, Tag
from rehearse.questions.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
LIST = "/api/v1/questions/"
ETAG = re.compile(r'"[0-9a-f]{40}"')


@pytest.fixture(autouse=True)
def private_bank_version(settings: Any) -> Iterator[None]:
    """A bank version of this test's own, also on the Redis the second CI pass shares
    between test processes (where a transactional test elsewhere bumps the real one)."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "KEY_PREFIX": f"test-conditional-{uuid.uuid4().hex}",
        }
    }
    yield
    cache.delete(BANK_VERSION_KEY)


@pytest.fixture
def question() -> Question:
    return cast(Question, QuestionFactory(title="What is an ETag?"))


def vary(response: Any) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


def etag_of(client: Client, path: str = LIST, **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.content
    return str(response["ETag"])


BANK_READS: dict[str, Callable[[Question], str]] = {
    "question list": lambda q: LIST,
    "filtered list": lambda q: f"{LIST}?topic={q.topic.slug}&ordering=title",
    "question detail": lambda q: f"{LIST}{q.pk}/",
    "topic list": lambda q: "/api/v1/topics/",
    "topic detail": lambda q: f"/api/v1/topics/{q.topic.slug}/",
}


@pytest.mark.parametrize("read", BANK_READS.values(), ids=BANK_READS.keys())
def test_anonymous_bank_read_carries_etag_cache_control_and_vary(
    client: Client, question: Question, settings: Any, read: Callable[[Question], str]
) -> None:
    settings.BANK_CACHE_SECONDS = 7
    response = client.get(read(question))
    assert response.status_code == 200
    assert ETAG.fullmatch(response["ETag"])
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=7"
    assert {"accept", "authorization", "cookie"} <= vary(response)


def test_head_gets_the_same_validators(client: Client, question: Question) -> None:
    response = client.head(LIST)
    assert response.status_code == 200
    assert response["ETag"] == etag_of(client)


def test_the_same_read_has_the_same_etag_and_other_reads_another(
    client: Client, question: Question
) -> None:
    etag = etag_of(client)
    assert etag_of(client) == etag
    others = {
        etag_of(client, f"{LIST}?ordering=title"),
        etag_of(client, f"{LIST}{question.pk}/"),
        # The body's links are absolute: another host name is another body.
        etag_of(client, HOST="localhost"),
        etag_of(client, Accept="application/json; indent=2"),
    }
    assert etag not in others
    assert len(others) == 4


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-a-real-token"},
        {"Authorization": "Basic YWRhOnNlY3JldA=="},
    ],
    ids=["bearer", "basic"],
)
def test_a_request_with_authorization_gets_no_public_caching(
    client: Client, question: Question, headers: dict[str, str]
) -> None:
    response = client.get(LIST, headers=headers)
    assert "ETag" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_a_request_with_a_session_cookie_gets_no_public_caching(
    client: Client, question: Question
) -> None:
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "not-a-real-session"
    response = client.get(LIST)
    assert response.status_code == 200
    assert "ETag" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_a_signed_in_author_sees_drafts_in_an_uncached_response(
    client: Client, question: Question
) -> None:
    author = User.objects.create_user("author@example.org", "correct horse battery")
    QuestionFactory(title="My draft", status=QuestionStatus.DRAFT, author=author)
    anonymous_etag = etag_of(client)
    client.force_login(author)
    response = client.get(LIST)
    assert "My draft" in [item["title"] for item in response.json()["results"]]
    assert "ETag" not in response
    # Even sent the anonymous ETag, a signed-in reader gets the full, personal page.
    assert client.get(LIST, headers={"If-None-Match": anonymous_etag}).status_code == 200


def test_a_matching_if_none_match_is_a_304_without_touching_the_database(
    client: Client, question: Question, django_assert_num_queries: Any
) -> None:
    etag = etag_of(client)
    with django_assert_num_queries(0):
        response = client.get(LIST, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    # What a cache revalidating its copy needs to keep serving it.
    assert response["ETag"] == etag
    assert response["Cache-Control"].startswith("public")
    assert "cookie" in vary(response)


@pytest.mark.parametrize(
    "if_none_match",
    ["W/{etag}", '"something-else", {etag}', "*"],
    ids=["weak", "in a list", "star"],
)
def test_if_none_match_forms_that_match(
    client: Client, question: Question, if_none_match: str
) -> None:
    etag = etag_of(client)
    response = client.get(LIST, headers={"If-None-Match": if_none_match.format(etag=etag)})
    assert response.status_code == 304


def test_a_stale_etag_gets_the_whole_response(client: Client, question: Question) -> None:
    response = client.get(LIST, headers={"If-None-Match": '"0123456789abcdef"'})
    assert response.status_code == 200
    assert response.json()["results"]


def test_a_publish_changes_the_etag_only_once_committed(
    client: Client, question: Question, django_capture_on_commit_callbacks: Any
) -> None:
    draft = QuestionFactory(title="Now published", status=QuestionStatus.DRAFT)
    before = etag_of(client)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        draft.status = QuestionStatus.PUBLISHED
        draft.save()
        # Not committed yet: the version, hence every ETag, has not moved.
        assert etag_of(client) == before
    assert callbacks, "saving a question must schedule a bank-version bump"
    for callback in callbacks:
        callback()
    response = client.get(LIST, headers={"If-None-Match": before})
    assert response.status_code == 200
    assert "Now published" in [item["title"] for item in response.json()["results"]]
    assert response["ETag"] != before


def rename_topic(question: Question) -> None:
    topic = question.topic
    topic.title = "Renamed"
    topic.save()


BANK_EDITS: dict[str, Callable[[Question], object]] = {
    "question edited": lambda q: Question.objects.get(pk=q.pk).save(),
    "question deleted": lambda q: Question.objects.get(pk=q.pk).delete(),
    "topic renamed": rename_topic,
    "tag added": lambda q: q.tags.add(Tag.objects.create(slug="http")),
    "tags cleared": lambda q: q.tags.clear(),
    "tag created": lambda q: Tag.objects.create(slug="caching"),
}


@pytest.mark.parametrize("edit", BANK_EDITS.values(), ids=BANK_EDITS.keys())
def test_every_kind_of_bank_write_changes_the_etag(
    client: Client,
    question: Question,
    django_capture_on_commit_callbacks: Any,
    edit: Callable[[Question], object],
) -> None:
    before = etag_of(client)
    with django_capture_on_commit_callbacks(execute=True):
        edit(question)
    assert etag_of(client) != before


@pytest.mark.django_db(transaction=True)
def test_the_version_moves_at_commit_not_before(client: Client) -> None:
    QuestionFactory()
    before = conditional.bank_version()
    with transaction.atomic():
        QuestionFactory()
        assert conditional.bank_version() == before
    assert conditional.bank_version() > before


def test_a_lost_version_never_comes_back_as_an_old_value() -> None:
    first = conditional.bank_version()
    conditional.bank_changed()
    second = conditional.bank_version()
    assert second == first + 1
    cache.delete(BANK_VERSION_KEY)  # a Redis flush or eviction
    conditional.bank_changed()  # a write while the key is missing starts it afresh
    assert conditional.bank_version() > second


def test_reads_outside_the_bank_are_left_alone(client: Client) -> None:
    response = client.get("/healthz")
    assert "ETag" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_a_missing_question_is_not_cached(client: Client) -> None:
    response = client.get(f"{LIST}999999/")
    assert response.status_code == 404
    assert "ETag" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_without_the_cache_the_bank_is_served_without_validators(
    client: Client, question: Question, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cache_down() -> int:
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(conditional, "bank_version", cache_down)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "ETag" not in response


def run_middleware(view: Callable[[HttpRequest], HttpResponse]) -> HttpResponse:
    request = RequestFactory().get(LIST)
    return BankConditionalGetMiddleware(view)(request)


def test_a_response_setting_a_cookie_is_not_made_public() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("{}")
        response.set_cookie("csrftoken", "x")
        return response

    assert "ETag" not in run_middleware(view)


def test_a_user_authenticated_by_other_means_is_not_made_public() -> None:
    user = User.objects.create_user("token@example.org", "correct horse battery")

    def view(request: HttpRequest) -> HttpResponse:
        # What DRF does when an authentication class (an OAuth token in the query
        # string, say) finds a user.
        request.user = user
        return HttpResponse("{}")

    assert "ETag" not in run_middleware(view)
