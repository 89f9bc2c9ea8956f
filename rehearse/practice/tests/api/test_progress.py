"""Progress: mastery per topic, reviews per day, streak, 7-day forecast, and their cost.

Each endpoint is a fixed number of SQL queries however much the learner has done:
the aggregation happens in the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.practice import scheduling
from rehearse.practice.models import Card, ReviewDay
from rehearse.practice.tests.factories import (
    CardFactory,
    InterviewFactory,
    ReviewedCardFactory,
    ReviewLogFactory,
)
from rehearse.questions.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/practice"


def test_mastery_is_the_mean_fsrs_retrievability_per_topic(api: APIClient, learner: User) -> None:
    sql = TopicFactory.create(slug="sql", title="SQL")
    http = TopicFactory.create(slug="http", title="HTTP")
    cards = [
        ReviewedCardFactory.create(
            user=learner, question=QuestionFactory.create(topic=sql), stability=s, days_ago=d
        )
        for s, d in [(1.5, 3), (40.0, 10), (300.0, 200)]
    ]
    cards.append(
        CardFactory.create(user=learner, question=QuestionFactory.create(topic=sql))
    )  # new: R = 0
    ReviewedCardFactory.create(
        user=learner, question=QuestionFactory.create(topic=http), stability=10.0, days_ago=10
    )
    ReviewedCardFactory.create(question=QuestionFactory.create(topic=http))  # someone else's

    rows = {row["topic_slug"]: row for row in api.get(f"{BASE}/progress/topics/").json()}
    now = timezone.now()
    expected = sum(scheduling.retrievability(c.memory, at=now) for c in cards) / len(cards)
    assert rows["sql"]["mastery"] == pytest.approx(expected, abs=1e-6)
    assert (rows["sql"]["cards"], rows["sql"]["reviewed"]) == (4, 3)
    assert rows["http"]["mastery"] == pytest.approx(0.9)
    assert list(rows) == ["http", "sql"]  # by title


def test_reviews_per_day_over_a_window(api: APIClient, learner: User) -> None:
    today = timezone.now().date()
    ReviewDay.objects.create(user=learner, day=today, again=1, good=2, duration_ms=3000)
    ReviewDay.objects.create(user=learner, day=today - dt.timedelta(days=6), easy=5)
    ReviewDay.objects.create(user=learner, day=today - dt.timedelta(days=7), easy=9)
    body = api.get(f"{BASE}/progress/activity/", {"days": 7}).json()
    assert body["first_day"] == str(today - dt.timedelta(days=6))
    assert [(d["day"], d["reviews"]) for d in body["days"]] == [
        (str(today - dt.timedelta(days=6)), 5),
        (str(today), 3),
    ]
    assert api.get(f"{BASE}/progress/activity/", {"days": 0}).status_code == 400
    assert api.get(f"{BASE}/progress/activity/", {"days": "x"}).status_code == 400


@pytest.mark.parametrize(
    ("offsets", "current", "longest"),
    [
        ([], 0, 0),
        ([0], 1, 1),
        ([1, 2, 3], 3, 3),  # nothing yet today: the streak holds until midnight
        ([0, 1, 2, 4, 5, 6, 7, 8], 3, 5),
        ([2, 3], 0, 2),
    ],
)
def test_streak_counts_consecutive_days_in_the_learners_zone(
    api: APIClient, learner: User, offsets: list[int], current: int, longest: int
) -> None:
    learner.time_zone = "Asia/Kolkata"
    learner.save()
    today = timezone.now().astimezone(ZoneInfo("Asia/Kolkata")).date()
    for offset in offsets:
        ReviewDay.objects.create(user=learner, day=today - dt.timedelta(days=offset), good=1)
    body = api.get(f"{BASE}/progress/streak/").json()
    assert (body["current"], body["longest"]) == (current, longest)
    assert body["today"] == str(today)


def test_forecast_counts_cards_due_on_each_of_the_next_seven_days(
    api: APIClient, learner: User
) -> None:
    now = timezone.now()
    for days, count in [(-3, 2), (0, 1), (1, 3), (6, 1), (7, 4), (30, 1)]:
        CardFactory.create_batch(count, user=learner, due=now + dt.timedelta(days=days, seconds=1))
    CardFactory.create(user=learner, due=now - dt.timedelta(days=1), is_suspended=True)
    body = api.get(f"{BASE}/progress/forecast/").json()
    assert len(body["days"]) == 7
    counts = [day["cards"] for day in body["days"]]
    assert counts[0] >= 2  # overdue ones count today
    assert (
        sum(counts)
        == Card.objects.filter(
            user=learner, is_suspended=False, due__lt=now + dt.timedelta(days=7)
        ).count()
    )
    assert body["days"][0]["day"] == str(now.date())


def populate(learner: User, size: int) -> None:
    topics = [TopicFactory.create(slug=f"t{i}") for i in range(3)]
    for index in range(size):
        ReviewedCardFactory.create(
            user=learner,
            question=QuestionFactory.create(topic=topics[index % 3]),
            days_ago=index % 9,
        )
    today = timezone.now().date()
    ReviewDay.objects.bulk_create(
        ReviewDay(user=learner, day=today - dt.timedelta(days=d), good=d + 1) for d in range(size)
    )
    for _ in range(size // 3):
        InterviewFactory.create(user=learner, questions=[QuestionFactory.create()])
    for card in Card.objects.owned_by(learner)[:size]:
        ReviewLogFactory.create(card=card)


ENDPOINTS = [
    ("/progress/topics/", 1),  # computed: nothing cached yet
    ("/progress/activity/?days=366", 1),
    ("/progress/streak/", 1),
    ("/progress/forecast/", 1),
    # overdue check, the page, the page's topics
    ("/interviews/", 3),
    # today's review count, the page (cards with questions and topics)
    ("/due/", 2),
    ("/reviews/", 1),
]


@pytest.mark.parametrize(("path", "queries"), ENDPOINTS)
@pytest.mark.parametrize("size", [3, 30])
def test_each_progress_endpoint_runs_a_fixed_number_of_queries(
    api: APIClient,
    learner: User,
    django_assert_num_queries: DjangoAssertNumQueries,
    path: str,
    queries: int,
    size: int,
) -> None:
    populate(learner, size)
    with django_assert_num_queries(queries):
        response = api.get(BASE + path)
    assert response.status_code == 200


def test_mastery_is_served_from_the_cache_until_a_review_changes_it(
    api: APIClient,
    learner: User,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_capture_on_commit_callbacks: Any,
) -> None:
    card = ReviewedCardFactory.create(user=learner, stability=5.0, days_ago=20)
    first = api.get(f"{BASE}/progress/topics/").json()
    with django_assert_num_queries(0):
        assert api.get(f"{BASE}/progress/topics/").json() == first
    # The review's commit replaces the learner's cards token (on_commit).
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{BASE}/reviews/", {"card": card.pk, "rating": "easy", "duration_ms": 1000}
        )
    assert response.status_code == 201
    after = api.get(f"{BASE}/progress/topics/").json()
    assert after[0]["mastery"] > first[0]["mastery"]


def test_mastery_is_recomputed_on_the_learners_next_day(
    api: APIClient, learner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    ReviewedCardFactory.create(user=learner, stability=5.0, days_ago=2)
    first = api.get(f"{BASE}/progress/topics/").json()
    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    later = api.get(f"{BASE}/progress/topics/").json()
    assert later[0]["mastery"] < first[0]["mastery"]
