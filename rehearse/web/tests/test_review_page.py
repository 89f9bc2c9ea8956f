"""The daily review page: one due card at a time, rated with the review service."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from rehearse.accounts.models import User
from rehearse.practice import services
from rehearse.practice.models import Card, ReviewLog, ReviewSource
from rehearse.questions.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(learner: User, recursion: Topic) -> User:
    services.enrolment_create(user=learner, topic=recursion)
    return learner


def shown_token(client: Client) -> str:
    html = client.get("/review/").content.decode()
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "no card on the page"
    return match[1]


def test_without_cards_the_page_says_how_to_get_some(learner_client: Client) -> None:
    html = learner_client.get("/review/").content.decode()
    assert "0 cards left today" in html
    assert "Enrol in a topic" in html


def test_a_card_is_shown_with_its_answer_behind_a_reveal(
    enrolled: User, learner_client: Client
) -> None:
    html = learner_client.get("/review/").content.decode()
    assert "4 cards left today" in html
    assert '<details id="reveal">' in html
    for key, label in enumerate(["Again", "Hard", "Good", "Easy"], start=1):
        assert f'data-key="{key}"' in html
        assert label in html


def test_rating_records_a_queue_review_and_moves_on(enrolled: User, learner_client: Client) -> None:
    response = learner_client.post(
        "/review/", {"token": shown_token(learner_client), "rating": "good"}
    )
    assert response.status_code == 302
    log = ReviewLog.objects.get(user=enrolled)
    assert log.rating == 3
    assert log.source == ReviewSource.QUEUE
    assert log.duration_ms is not None
    assert 1 <= log.duration_ms < 60_000
    assert log.card.due > timezone.now()
    assert "3 cards left today" in learner_client.get("/review/").content.decode()


def test_the_same_card_sent_twice_is_reviewed_once(enrolled: User, learner_client: Client) -> None:
    token = shown_token(learner_client)
    learner_client.post("/review/", {"token": token, "rating": "good"})
    again = learner_client.post("/review/", {"token": token, "rating": "easy"}, follow=True)
    assert ReviewLog.objects.filter(user=enrolled).count() == 1
    assert "already rated" in again.content.decode()


@pytest.mark.parametrize(
    ("token", "rating", "status"),
    [("forged", "good", 400), (None, "excellent", 400), (None, "", 400)],
)
def test_bad_ratings_record_nothing(
    enrolled: User, learner_client: Client, token: str | None, rating: str, status: int
) -> None:
    data = {"token": token or shown_token(learner_client), "rating": rating}
    response = learner_client.post("/review/", data)
    assert response.status_code == status
    assert not ReviewLog.objects.exists()


def test_another_learners_card_cannot_be_rated(
    enrolled: User, make_user: Callable[..., User], recursion: Topic
) -> None:
    other = make_user("other@example.org")
    token = shown_token(_client_for(enrolled))
    response = _client_for(other).post("/review/", {"token": token, "rating": "good"})
    assert response.status_code == 404
    assert not ReviewLog.objects.exists()


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_suspended_card_is_a_409(enrolled: User, learner_client: Client) -> None:
    token = shown_token(learner_client)
    Card.objects.filter(user=enrolled).update(is_suspended=True)
    response = learner_client.post("/review/", {"token": token, "rating": "good"})
    assert response.status_code == 409
    assert "suspended" in response.content.decode()
    assert not ReviewLog.objects.exists()


def test_the_daily_limit_ends_the_session(enrolled: User, learner_client: Client) -> None:
    enrolled.daily_review_limit = 1
    enrolled.save()
    learner_client.post("/review/", {"token": shown_token(learner_client), "rating": "good"})
    html = learner_client.get("/review/").content.decode()
    assert "Daily limit reached" in html


def test_the_finished_screen_gives_the_next_due_time(
    enrolled: User, learner_client: Client
) -> None:
    for _ in range(4):
        learner_client.post("/review/", {"token": shown_token(learner_client), "rating": "easy"})
    html = learner_client.get("/review/").content.decode()
    assert "All done for now" in html
    next_due = min(card.due for card in Card.objects.filter(user=enrolled))
    assert next_due > timezone.now() + dt.timedelta(hours=1)
    assert f'datetime="{timezone.localtime(next_due).isoformat()}"' in html
