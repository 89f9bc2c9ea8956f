"""Enrolments and cards: creation, scoping to the learner, suspend, bury and reset."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.practice.models import Card
from rehearse.practice.tests.factories import CardFactory
from rehearse.questions.models import QuestionStatus
from rehearse.questions.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/practice"


def test_anonymous_requests_are_refused(api_client: APIClient) -> None:
    for path in ("/cards/", "/due/", "/reviews/", "/interviews/", "/progress/topics/", "/export/"):
        response = api_client.get(BASE + path)
        assert response.status_code in (401, 403), path
        assert response["Content-Type"] == "application/problem+json"


def test_enrolling_in_a_topic_creates_its_cards(api: APIClient, learner: User) -> None:
    topic = TopicFactory.create(slug="sql", title="SQL")
    QuestionFactory.create_batch(3, topic=topic)
    response = api.post(f"{BASE}/enrolments/", {"topic": "sql"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["topic"] == "sql"
    assert body["topic_title"] == "SQL"
    assert body["cards_created"] == 3
    assert response["Location"].endswith(f"{BASE}/enrolments/{body['id']}/")
    assert Card.objects.owned_by(learner).count() == 3

    QuestionFactory.create(topic=topic)
    again = api.post(f"{BASE}/enrolments/", {"topic": "sql"})
    assert again.status_code == 200
    assert again.json()["cards_created"] == 1
    [listed] = api.get(f"{BASE}/enrolments/").json()["results"]
    assert listed == {
        "id": body["id"],
        "topic": "sql",
        "topic_title": "SQL",
        "created_at": body["created_at"],
    }


def test_enrolling_in_an_unknown_topic_is_a_validation_error(api: APIClient) -> None:
    response = api.post(f"{BASE}/enrolments/", {"topic": "nope"})
    assert response.status_code == 400
    assert "topic" in response.json()["errors"]


def test_unknown_body_fields_are_rejected(api: APIClient) -> None:
    TopicFactory.create(slug="sql")
    response = api.post(f"{BASE}/enrolments/", {"topic": "sql", "user": 1})
    assert response.status_code == 400
    assert response.json()["errors"] == {"user": ["Unknown field."]}
    assert not Card.objects.exists()


def test_unenrolling_is_a_204_and_suspends_the_topics_cards(api: APIClient, learner: User) -> None:
    topic = TopicFactory.create(slug="sql")
    QuestionFactory.create(topic=topic)
    enrolment = api.post(f"{BASE}/enrolments/", {"topic": "sql"}).json()
    response = api.delete(f"{BASE}/enrolments/{enrolment['id']}/")
    assert response.status_code == 204
    assert Card.objects.owned_by(learner).get().is_suspended


def test_a_card_for_one_question(api: APIClient) -> None:
    question = QuestionFactory.create()
    response = api.post(f"{BASE}/cards/", {"question": question.pk})
    assert response.status_code == 201, response.content
    card = response.json()
    assert card["question"]["id"] == question.pk
    assert card["state"] == "learning"
    assert card["retrievability"] == 0.0
    assert response["Location"].endswith(f"{BASE}/cards/{card['id']}/")

    again = api.post(f"{BASE}/cards/", {"question": question.pk})
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"


def test_a_card_for_a_draft_or_unanswered_question_is_refused(api: APIClient) -> None:
    for question in (
        QuestionFactory.create(status=QuestionStatus.DRAFT),
        QuestionFactory.create(answer=""),
    ):
        response = api.post(f"{BASE}/cards/", {"question": question.pk})
        assert response.status_code == 400
        assert "question" in response.json()["errors"]


def test_another_learners_card_is_a_404(api: APIClient, outsider: User) -> None:
    card = CardFactory.create(user=outsider)
    assert api.get(f"{BASE}/cards/{card.pk}/").status_code == 404
    for action in ("suspend", "unsuspend", "bury", "reset"):
        assert api.post(f"{BASE}/cards/{card.pk}/{action}/").status_code == 404
    assert [c["id"] for c in api.get(f"{BASE}/cards/").json()["results"]] == []


def test_suspend_bury_and_reset(api: APIClient, learner: User) -> None:
    card = CardFactory.create(user=learner)
    url = f"{BASE}/cards/{card.pk}"
    assert api.post(f"{url}/suspend/").json()["is_suspended"] is True
    assert api.post(f"{url}/bury/").status_code == 409  # suspended: nothing to bury
    assert api.post(f"{url}/unsuspend/").json()["is_suspended"] is False
    buried = api.post(f"{url}/bury/").json()
    assert buried["buried_until"] is not None
    reset = api.post(f"{url}/reset/").json()
    assert reset["buried_until"] is None
    assert reset["state"] == "learning"
