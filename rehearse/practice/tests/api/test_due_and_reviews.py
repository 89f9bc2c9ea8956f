"""The due queue and reviews: ordering, the daily limit in the learner's day, errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.practice.models import Card, ReviewDay, ReviewLog
from rehearse.practice.tests.factories import CardFactory, ReviewedCardFactory
from rehearse.questions.models import QuestionStatus
from rehearse.questions.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
DUE = "/api/v1/practice/due/"
REVIEWS = "/api/v1/practice/reviews/"


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [card["id"] for card in response.json()["results"]]


def test_the_queue_holds_due_cards_oldest_first(api: APIClient, learner: User) -> None:
    now = timezone.now()
    late = CardFactory.create(user=learner, due=now - dt.timedelta(hours=1))
    later = CardFactory.create(user=learner, due=now - dt.timedelta(minutes=5))
    oldest = CardFactory.create(user=learner, due=now - dt.timedelta(days=2))
    CardFactory.create(user=learner, due=now + dt.timedelta(hours=1))  # not yet
    CardFactory.create(user=learner, due=now - dt.timedelta(days=9), is_suspended=True)
    CardFactory.create(
        user=learner, due=now - dt.timedelta(days=9), buried_until=now + dt.timedelta(hours=3)
    )
    CardFactory.create(
        user=learner, question=QuestionFactory.create(status=QuestionStatus.DRAFT, author=learner)
    )
    CardFactory.create(due=now - dt.timedelta(days=30))  # another learner's
    response = api.get(DUE)
    assert ids(response) == [oldest.pk, late.pk, later.pk]
    assert response.json()["reviews_left_today"] == 50
    card = response.json()["results"][0]
    assert {"prompt", "answer", "topic"} <= card["question"].keys()


def test_the_queue_pages_by_cursor(api: APIClient, learner: User) -> None:
    now = timezone.now()
    cards = [
        CardFactory.create(user=learner, due=now - dt.timedelta(minutes=30 - i)) for i in range(7)
    ]
    seen: list[int] = []
    url: str | None = f"{DUE}?page_size=3"
    while url:
        response = api.get(url)
        seen += ids(response)
        url = response.json()["next"]
    assert seen == [card.pk for card in cards]


def test_the_queue_holds_no_more_than_the_daily_limit_leaves(api: APIClient, learner: User) -> None:
    learner.daily_review_limit = 4
    learner.save()
    CardFactory.create_batch(6, user=learner, due=timezone.now() - dt.timedelta(hours=1))
    first = Card.objects.owned_by(learner).order_by("due", "id").first()
    assert first is not None
    response = api.post(REVIEWS, {"card": first.pk, "rating": "easy", "duration_ms": 3000})
    assert response.status_code == 201
    queue = api.get(f"{DUE}?page_size=2")
    assert queue.json()["reviews_left_today"] == 3
    seen = ids(queue) + ids(api.get(queue.json()["next"]))
    assert len(seen) == 3


def test_the_daily_limit_counts_reviews_of_the_learners_today(
    api: APIClient, learner: User
) -> None:
    learner.time_zone = "Pacific/Kiritimati"  # UTC+14: "today" there is not today in UTC
    learner.daily_review_limit = 5
    learner.save()
    today_there = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=14))).date()
    ReviewDay.objects.create(user=learner, day=today_there, good=3)
    ReviewDay.objects.create(user=learner, day=today_there - dt.timedelta(days=1), good=40)
    assert api.get(DUE).json()["reviews_left_today"] == 2


def test_a_review_returns_the_next_due_time(api: APIClient, learner: User) -> None:
    card = ReviewedCardFactory.create(user=learner)
    response = api.post(REVIEWS, {"card": card.pk, "rating": "good", "duration_ms": 8000})
    assert response.status_code == 201, response.content
    body = response.json()
    card.refresh_from_db()
    assert body["rating"] == "good"
    assert body["card"] == card.pk
    assert body["source"] == "queue"
    assert dt.datetime.fromisoformat(body["next_due"]) == card.due
    assert response["Location"].endswith(f"{REVIEWS}{body['id']}/")
    assert api.get(response["Location"]).json() == body
    assert [r["id"] for r in api.get(REVIEWS).json()["results"]] == [body["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": "great", "duration_ms": 1000}, "rating"),
        ({"rating": 3, "duration_ms": 1000}, "rating"),
        ({"rating": "good", "duration_ms": 0}, "duration_ms"),
        ({"rating": "good", "duration_ms": 3_600_001}, "duration_ms"),
        ({"rating": "good"}, "duration_ms"),
        ({"rating": "good", "duration_ms": 1000, "at": "2020-01-01"}, "at"),
    ],
)
def test_an_invalid_review_is_a_400_and_writes_nothing(
    api: APIClient, learner: User, body: dict[str, Any], field: str
) -> None:
    card = CardFactory.create(user=learner)
    response = api.post(REVIEWS, {"card": card.pk, **body})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not ReviewLog.objects.exists()
    card.refresh_from_db()
    assert card.reps == 0


def test_reviewing_another_learners_card_is_a_404_and_writes_nothing(
    api: APIClient, outsider: User
) -> None:
    card = CardFactory.create(user=outsider)
    response = api.post(REVIEWS, {"card": card.pk, "rating": "good", "duration_ms": 1000})
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/not-found"
    assert not ReviewLog.objects.exists()


def test_reviewing_a_suspended_card_is_a_409_and_writes_nothing(
    api: APIClient, learner: User
) -> None:
    card = CardFactory.create(user=learner, is_suspended=True)
    response = api.post(REVIEWS, {"card": card.pk, "rating": "good", "duration_ms": 1000})
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/conflict"
    assert "suspended" in response.json()["detail"]
    assert not ReviewLog.objects.exists()
    assert not ReviewDay.objects.exists()


def test_another_learners_reviews_are_invisible(api: APIClient, outsider: User) -> None:
    card = CardFactory.create(user=outsider)
    log = ReviewLog.objects.create(
        card=card,
        user=outsider,
        rating=3,
        reviewed_at=timezone.now(),
        duration_ms=1,
        source="queue",
        state=2,
        stability=1.0,
        difficulty=5.0,
        due=timezone.now(),
    )
    assert api.get(f"{REVIEWS}{log.pk}/").status_code == 404
    assert api.get(REVIEWS).json()["results"] == []


def test_cards_render_as_drf_itself_would(learner: User) -> None:
    from rest_framework import serializers

    from rehearse.practice.api.serializers import CardSerializer

    card = ReviewedCardFactory.create(user=learner)
    fast = CardSerializer(card).data
    drf = serializers.Serializer.to_representation(CardSerializer(card), card)
    assert fast == drf
    assert fast["due"].endswith("Z")
