"""ACID under concurrent use, on PostgreSQL with real connections (one per thread).

Each test starts its writers behind a barrier so that they collide, and every thread
closes its own connection when it ends. In the lost-update tests each review, once
it has read its card, waits (up to ``PATIENCE`` seconds) for the other review to
have read the card too (``wait_for_the_other_read``). With the row lock the other
review cannot read until the first one commits, so the wait times out and the two
run one after the other; without the lock both always read the same state before
either writes — so removing the lock makes the first test fail every time, not by
chance, and the companion test shows that lost update happening.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rehearse.accounts.models import User
from rehearse.practice import scheduling, services
from rehearse.practice.models import (
    Card,
    Interview,
    InterviewStatus,
    Rating,
    ReviewDay,
    ReviewLog,
)
from rehearse.practice.tests.factories import CardFactory, ReviewedCardFactory
from rehearse.questions.tests.factories import QuestionFactory, TopicFactory

PATIENCE = 1.0  # seconds a review waits, after reading its card, for the other one


def run_concurrently(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread (own connection), all released at once."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # handed to the test to assert on
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def memory(card: Card) -> scheduling.Memory:
    card.refresh_from_db()
    return card.memory


def wait_for_the_other_read(read: Callable[..., list[Card]]) -> Callable[..., list[Card]]:
    """``read``, then wait until the other review has read too (or PATIENCE is up)."""
    both_read = threading.Barrier(2)

    def read_then_wait(*, ids: list[int]) -> list[Card]:
        cards = read(ids=ids)
        # Broken (timed out): the other review is waiting for our lock; go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=PATIENCE)
        return cards

    return read_then_wait


@pytest.fixture
def collide(monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's own locked read, made to wait for the other review."""
    monkeypatch.setattr(services, "_lock_cards", wait_for_the_other_read(services._lock_cards))


def review(card: Card, user: User, rating: Rating) -> Callable[[], ReviewLog]:
    return lambda: services.review_record(card=card, user=user, rating=rating, duration_ms=2000)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres", "collide")
def test_two_simultaneous_reviews_of_one_card_are_both_applied_in_order(learner: User) -> None:
    card = ReviewedCardFactory.create(user=learner)
    before = memory(card)
    results = run_concurrently(
        review(card, learner, Rating.GOOD), review(card, learner, Rating.AGAIN)
    )
    assert all(isinstance(result, ReviewLog) for result in results), results

    logs = list(ReviewLog.objects.filter(card=card).order_by("id"))
    assert len(logs) == 2
    assert logs[0].reviewed_at <= logs[1].reviewed_at
    # Replaying the two logged reviews one after the other gives the card's state:
    # the second review started from the first one's result (no lost update).
    replayed = before
    for log in logs:
        replayed = scheduling.review(
            replayed, rating=scheduling.Rating(log.rating), at=log.reviewed_at
        )
    assert memory(card) == replayed
    card.refresh_from_db()
    assert card.reps == 3 + 2
    assert ReviewDay.objects.get(user=learner).again + ReviewDay.objects.get(user=learner).good == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_without_the_row_lock_one_of_two_simultaneous_reviews_is_lost(
    learner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control experiment: the test above fails if the lock is removed."""

    def unlocked_read(*, ids: list[int]) -> list[Card]:
        return list(Card.objects.filter(id__in=ids).order_by("id"))  # no FOR UPDATE

    monkeypatch.setattr(services, "_lock_cards", wait_for_the_other_read(unlocked_read))
    card = ReviewedCardFactory.create(user=learner)
    before = memory(card)
    run_concurrently(review(card, learner, Rating.GOOD), review(card, learner, Rating.AGAIN))

    logs = list(ReviewLog.objects.filter(card=card).order_by("id"))
    assert len(logs) == 2  # both reviews were logged...
    card.refresh_from_db()
    assert card.reps == 3 + 1  # ...but the card only counts one: the other was lost
    replayed = before
    for log in logs:
        replayed = scheduling.review(
            replayed, rating=scheduling.Rating(log.rating), at=log.reviewed_at
        )
    assert memory(card) != replayed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_first_reviews_of_the_day_on_two_cards_at_once_are_both_counted(learner: User) -> None:
    first, second = CardFactory.create_batch(2, user=learner)
    results = run_concurrently(
        review(first, learner, Rating.GOOD), review(second, learner, Rating.EASY)
    )
    assert all(isinstance(result, ReviewLog) for result in results), results
    day = ReviewDay.objects.get(user=learner)
    assert (day.good, day.easy) == (1, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_two_interviews_started_at_once_open_only_one(learner: User) -> None:
    topic = TopicFactory.create()
    QuestionFactory.create_batch(6, topic=topic)

    def start() -> Interview:
        return services.interview_start(
            user=learner,
            topics=[topic],
            difficulties=[1, 2, 3],
            question_count=3,
            time_limit=dt.timedelta(minutes=5),
        )

    results = run_concurrently(start, start)
    assert sorted(type(result).__name__ for result in results) == [
        "Interview",
        "InterviewInProgress",
    ]
    assert Interview.objects.filter(user=learner, status=InterviewStatus.OPEN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failure_midway_through_finishing_leaves_no_card_updated_and_the_interview_open(
    learner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = TopicFactory.create()
    questions = QuestionFactory.create_batch(3, topic=topic)
    cards = [ReviewedCardFactory.create(user=learner, question=question) for question in questions]
    interview = services.interview_start(
        user=learner,
        topics=[topic],
        difficulties=[1, 2, 3],
        question_count=3,
        time_limit=dt.timedelta(minutes=5),
    )
    for position in (1, 2, 3):
        services.interview_answer(
            interview=interview, position=position, answer="kept", self_grade=2
        )
    before = {card.pk: memory(card) for card in cards}

    calls = 0
    real_review = scheduling.review

    def fail_on_second_card(*args: Any, **kwargs: Any) -> scheduling.Memory:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("injected failure")
        return real_review(*args, **kwargs)

    monkeypatch.setattr(scheduling, "review", fail_on_second_card)
    with CaptureQueriesContext(connection) as queries, pytest.raises(RuntimeError):
        services.interview_finish(interview=interview)

    card_updates = [
        q for q in queries.captured_queries if q["sql"].startswith('UPDATE "practice_card"')
    ]
    assert len(card_updates) == 1  # the first card was written before the failure...
    assert {card.pk: memory(card) for card in cards} == before  # ...and rolled back
    assert not ReviewLog.objects.exists()
    assert not ReviewDay.objects.exists()
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.OPEN
    assert interview.score is None
    assert interview.closed_at is None
    assert [item.answer for item in interview.items.all()] == ["kept"] * 3
