"""Two moderators acting on the same question at the same moment: exactly one wins.

Only PostgreSQL can show this: each thread has its own database connection and its own
transaction, as two gunicorn workers would. (SQLite in memory has one connection.)

Why the test would fail without the row lock: both services would read the question
while it is still ``in_review``, both checks would pass, and both would write, so the
question would end published *and* rejected, with two transitions in its history. To
make that interleaving certain rather than lucky, every ``Question.save`` here first
sleeps: a service without the lock would have both threads past the state check
before either writes. With ``select_for_update()`` the second thread's read waits for
the first one's commit and then sees the new state, so it refuses with 409.
``test_control_...`` runs the same race with the lock disabled and shows both winning:
the race is real, and the lock is what stops it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role
from rehearse.questions import services
from rehearse.questions.models import Question, QuestionStatus, QuestionTransition
from rehearse.questions.tests.conftest import Personas, make_user
from rehearse.questions.tests.factories import QuestionFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_postgres"),
]

WINDOW = 0.3  # seconds between a service's state check and its write


@pytest.fixture
def slow_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    save = Question.save

    def slow_save(self: Question, *args: Any, **kwargs: Any) -> None:
        time.sleep(WINDOW)
        save(self, *args, **kwargs)

    monkeypatch.setattr(Question, "save", slow_save)


@pytest.fixture
def other_moderator(personas: Personas) -> User:
    return make_user("second-moderator@example.org", Role.MODERATOR)


@pytest.fixture
def question(personas: Personas) -> Question:
    question: Question = QuestionFactory.create(
        author=personas.author, status=QuestionStatus.IN_REVIEW, published_at=None
    )
    return question


def race(*contenders: Callable[[], Any]) -> list[Any]:
    """Run the contenders at the same instant, each in a thread with its own connection;
    return what each returned or raised."""
    barrier = threading.Barrier(len(contenders))
    outcomes: list[Any] = [None] * len(contenders)

    def run(index: int, contender: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = contender()
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=run, args=(index, contender))
        for index, contender in enumerate(contenders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a contender hung"
    return outcomes


@pytest.mark.usefixtures("slow_writes")
def test_publish_and_reject_at_once_exactly_one_wins(
    personas: Personas, other_moderator: User, question: Question
) -> None:
    outcomes = race(
        lambda: services.question_publish(question=question, by=personas.moderator),
        lambda: services.question_reject(question=question, by=other_moderator, reason="No."),
    )
    winners = [outcome for outcome in outcomes if isinstance(outcome, Question)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, services.InvalidTransition)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    [winner], [loser] = winners, losers
    assert loser.current_status == winner.status  # the loser saw the winner's result
    question.refresh_from_db()
    assert question.status == winner.status
    assert QuestionTransition.objects.filter(question=question).count() == 1


@pytest.mark.usefixtures("slow_writes")
def test_two_moderators_through_the_api_one_gets_409(
    personas: Personas, other_moderator: User, question: Question
) -> None:
    def client_of(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    first, second = client_of(personas.moderator), client_of(other_moderator)
    url = f"/api/v1/questions/{question.pk}/"
    responses = race(
        lambda: first.post(f"{url}publish/"),
        lambda: second.post(f"{url}reject/", {"reason": "Not yet."}, format="json"),
    )
    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 409], [response.content for response in responses]
    conflict = next(response for response in responses if response.status_code == 409)
    assert conflict.json()["current_status"] in ("published", "draft")
    transitions = QuestionTransition.objects.filter(question=question)
    assert transitions.count() == 1
    history = client_of(personas.moderator).get(f"{url}history/").json()["results"]
    assert len(history) == 1


@pytest.mark.usefixtures("slow_writes")
def test_control_without_the_row_lock_both_moderators_would_win(
    personas: Personas,
    other_moderator: User,
    question: Question,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_lock(self: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
        return self

    monkeypatch.setattr(QuerySet, "select_for_update", no_lock)
    outcomes = race(
        lambda: services.question_publish(question=question, by=personas.moderator),
        lambda: services.question_reject(question=question, by=other_moderator, reason="No."),
    )
    assert all(isinstance(outcome, Question) for outcome in outcomes), outcomes
    assert QuestionTransition.objects.filter(question=question).count() == 2
