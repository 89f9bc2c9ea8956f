"""GET /api/v1/questions/: visibility, filters, search, ordering and keyset pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.questions.models import Difficulty, QuestionStatus
from rehearse.questions.tests.factories import QuestionFactory, TagFactory, TopicFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/questions/"


def titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["results"]]


def walk(client: APIClient, url: str) -> list[str]:
    """Follow ``next`` links to the end; return every title seen, in order."""
    seen: list[str] = []
    while url:
        response = client.get(url)
        seen += titles(response)
        url = response.json()["next"]
    return seen


def test_anonymous_sees_only_published_questions(api_client: APIClient) -> None:
    QuestionFactory(title="Published")
    QuestionFactory(title="Draft", status=QuestionStatus.DRAFT, published_at=None)
    QuestionFactory(title="In review", status=QuestionStatus.IN_REVIEW, published_at=None)
    assert titles(api_client.get(URL)) == ["Published"]


def test_question_shape(api_client: APIClient) -> None:
    topic = TopicFactory(slug="recursion", title="Recursion")
    QuestionFactory(
        topic=topic,
        slug="factorial",
        title="Factorial",
        difficulty=Difficulty.EASY,
        tags=[TagFactory(slug="python"), TagFactory(slug="math")],
    )
    [item] = api_client.get(URL).json()["results"]
    assert item["topic"] == {"slug": "recursion", "title": "Recursion"}
    assert item["slug"] == "factorial"
    assert item["difficulty"] == "easy"
    assert item["status"] == "published"
    assert sorted(item["tags"]) == ["math", "python"]
    assert {"id", "prompt", "answer", "created_at", "updated_at", "published_at"} <= item.keys()


def test_filters_by_topic_difficulty_and_tag(api_client: APIClient) -> None:
    recursion = TopicFactory(slug="recursion")
    sql = TopicFactory(slug="sql")
    jwt = TagFactory(slug="jwt")
    QuestionFactory(topic=recursion, title="Easy recursion", difficulty=Difficulty.EASY)
    QuestionFactory(topic=recursion, title="Hard recursion", difficulty=Difficulty.HARD)
    QuestionFactory(topic=sql, title="Tagged SQL", tags=[jwt])

    assert sorted(titles(api_client.get(URL, {"topic": "recursion"}))) == [
        "Easy recursion",
        "Hard recursion",
    ]
    assert titles(api_client.get(URL, {"topic": "recursion", "difficulty": "hard"})) == [
        "Hard recursion"
    ]
    assert titles(api_client.get(URL, {"tag": "jwt"})) == ["Tagged SQL"]
    assert titles(api_client.get(URL, {"topic": "no-such-topic"})) == []


def test_search_matches_title_prompt_and_answer(api_client: APIClient) -> None:
    QuestionFactory(title="Binary search", prompt="Find it.", answer="Halve the range.")
    QuestionFactory(title="Joins", prompt="Explain the LEFT JOIN.", answer="Rows.")
    QuestionFactory(title="Indexes", prompt="Why?", answer="A B-tree lookup avoids a scan.")
    QuestionFactory(title="Unrelated", prompt="Nothing.", answer="Nothing.")
    assert titles(api_client.get(URL, {"search": "binary"})) == ["Binary search"]
    assert titles(api_client.get(URL, {"search": "join"})) == ["Joins"]
    assert titles(api_client.get(URL, {"search": "lookup scan"})) == ["Indexes"]
    assert titles(api_client.get(URL, {"search": "nowhere-to-be-found"})) == []


def test_default_order_is_newest_first(api_client: APIClient) -> None:
    now = timezone.now()
    for days, title in [(3, "old"), (1, "new"), (2, "middle")]:
        QuestionFactory(title=title, created_at=now - dt.timedelta(days=days))
    assert titles(api_client.get(URL)) == ["new", "middle", "old"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("title", ["a", "b", "c"]),
        ("-title", ["c", "b", "a"]),
        ("difficulty", ["b", "c", "a"]),
        ("-difficulty", ["a", "c", "b"]),
    ],
)
def test_ordering(api_client: APIClient, ordering: str, expected: list[str]) -> None:
    QuestionFactory(title="a", difficulty=Difficulty.HARD)
    QuestionFactory(title="b", difficulty=Difficulty.EASY)
    QuestionFactory(title="c", difficulty=Difficulty.MEDIUM)
    assert titles(api_client.get(URL, {"ordering": ordering})) == expected


@pytest.mark.parametrize("ordering", ["-created", "title", "difficulty", "-difficulty"])
def test_cursor_pages_visit_every_row_once_even_with_ties(
    api_client: APIClient, ordering: str
) -> None:
    same_time = timezone.now()
    for index in range(23):
        QuestionFactory(
            title=f"q{index:02d}",
            difficulty=[Difficulty.EASY, Difficulty.MEDIUM][index % 2],
            created_at=same_time if index < 12 else same_time - dt.timedelta(hours=index),
        )
    seen = walk(api_client, f"{URL}?page_size=5&ordering={ordering}")
    assert sorted(seen) == [f"q{index:02d}" for index in range(23)]
    assert len(seen) == len(set(seen)) == 23
    everything = titles(api_client.get(URL, {"page_size": "100", "ordering": ordering}))
    assert seen == everything


def test_previous_link_returns_the_page_before(api_client: APIClient) -> None:
    for index in range(9):
        QuestionFactory(title=f"q{index}")
    first = api_client.get(URL, {"page_size": "4", "ordering": "title"}).json()
    assert first["previous"] is None
    second = api_client.get(first["next"]).json()
    back = api_client.get(second["previous"]).json()
    assert [q["title"] for q in back["results"]] == [q["title"] for q in first["results"]]
    assert back["previous"] is None
    assert back["next"] is not None


@pytest.mark.parametrize("page_size", [1, 100])
def test_query_count_does_not_grow_with_page_size(api_client: APIClient, page_size: int) -> None:
    tags = [TagFactory(slug=f"t{i}") for i in range(3)]
    for index in range(120):
        QuestionFactory(topic=TopicFactory(slug=f"topic-{index % 7}"), tags=tags)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size
    # One query for the page (questions joined with their topic), one for their tags.
    assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]


def test_detail(api_client: APIClient) -> None:
    question = QuestionFactory(title="Shown")
    response = api_client.get(f"{URL}{question.pk}/")
    assert response.status_code == 200
    assert response.json()["title"] == "Shown"


def test_draft_detail_is_404_for_anonymous(api_client: APIClient) -> None:
    draft = QuestionFactory(status=QuestionStatus.DRAFT, published_at=None)
    response = api_client.get(f"{URL}{draft.pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_author_sees_own_draft_but_not_others(api_client: APIClient) -> None:
    author = User.objects.create_user("author@example.org", "a-long-password-1")
    other = User.objects.create_user("other@example.org", "a-long-password-2")
    QuestionFactory(title="Mine", status=QuestionStatus.DRAFT, author=author, published_at=None)
    QuestionFactory(title="Theirs", status=QuestionStatus.DRAFT, author=other, published_at=None)
    QuestionFactory(title="Public")
    api_client.force_authenticate(author)
    assert sorted(titles(api_client.get(URL))) == ["Mine", "Public"]
    assert titles(api_client.get(URL, {"status": "draft"})) == ["Mine"]
