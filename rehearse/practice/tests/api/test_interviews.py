"""Mock interviews over the API: start, answer, finish, expire, history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.practice.models import Interview, InterviewStatus, ReviewLog
from rehearse.practice.tests.factories import InterviewFactory
from rehearse.questions.models import Difficulty
from rehearse.questions.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/practice/interviews/"


@pytest.fixture
def bank() -> None:
    sql = TopicFactory.create(slug="sql", title="SQL")
    QuestionFactory.create_batch(4, topic=sql, difficulty=Difficulty.MEDIUM)
    QuestionFactory.create_batch(2, topic=sql, difficulty=Difficulty.HARD)


def begin(api: APIClient, **body: Any) -> dict[str, Any]:
    response = api.post(URL, {"topics": ["sql"], "question_count": 3, **body})
    assert response.status_code == 201, response.content
    assert response["Location"].endswith(f"{URL}{response.json()['id']}/")
    return dict(response.json())


@pytest.mark.usefixtures("bank")
def test_an_interview_starts_with_questions_and_no_model_answers(api: APIClient) -> None:
    interview = begin(api, difficulties=["hard", "medium"], time_limit_minutes=20)
    assert interview["status"] == "open"
    assert interview["topics"] == ["sql"]
    assert interview["difficulties"] == ["medium", "hard"]
    assert interview["question_count"] == 3
    deadline = dt.datetime.fromisoformat(interview["deadline"])
    started = dt.datetime.fromisoformat(interview["started_at"])
    assert deadline - started == dt.timedelta(minutes=20)
    assert [item["position"] for item in interview["items"]] == [1, 2, 3]
    assert all(item["model_answer"] is None for item in interview["items"])
    assert all("answer" not in item["question"] for item in interview["items"])


@pytest.mark.usefixtures("bank")
def test_answer_and_finish(api: APIClient, learner: User) -> None:
    interview = begin(api)
    url = f"{URL}{interview['id']}/"
    for position, grade in [(1, 3), (2, 1)]:
        response = api.put(f"{url}items/{position}/", {"answer": "My answer", "self_grade": grade})
        assert response.status_code == 200, response.content
        assert response.json()["self_grade"] == grade
    finished = api.post(f"{url}finish/")
    assert finished.status_code == 200
    body = finished.json()
    assert body["status"] == "finished"
    assert body["score"] == round(100 * 4 / 9, 1)
    assert body["answered_count"] == 2
    assert all(item["model_answer"] for item in body["items"])
    assert ReviewLog.objects.filter(user=learner, source="interview").count() == 2

    again = api.post(f"{url}finish/")
    assert again.status_code == 409
    answer = api.put(f"{url}items/3/", {"answer": "late", "self_grade": 3})
    assert answer.status_code == 409
    assert answer.json()["interview_status"] == "finished"


@pytest.mark.usefixtures("bank")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answer": "x", "self_grade": 4}, "self_grade"),
        ({"answer": "x", "self_grade": -1}, "self_grade"),
        ({"answer": "x"}, "self_grade"),
        ({"answer": "x", "self_grade": 1, "score": 100}, "score"),
    ],
)
def test_invalid_answers_are_400s(api: APIClient, body: dict[str, Any], field: str) -> None:
    interview = begin(api)
    response = api.put(f"{URL}{interview['id']}/items/1/", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.usefixtures("bank")
def test_a_question_position_that_does_not_exist_is_a_404(api: APIClient) -> None:
    interview = begin(api)
    response = api.put(f"{URL}{interview['id']}/items/9/", {"answer": "", "self_grade": 0})
    assert response.status_code == 404


@pytest.mark.usefixtures("bank")
def test_an_interview_past_its_time_limit_is_closed_by_the_next_request(
    api: APIClient, learner: User
) -> None:
    interview = begin(api)
    api.put(f"{URL}{interview['id']}/items/1/", {"answer": "in time", "self_grade": 2})
    row = Interview.objects.get(pk=interview["id"])
    Interview.objects.filter(pk=row.pk).update(
        started_at=row.started_at - dt.timedelta(hours=1),
        deadline=row.deadline - dt.timedelta(hours=1),
    )
    answer = api.put(f"{URL}{interview['id']}/items/2/", {"answer": "late", "self_grade": 3})
    assert answer.status_code == 409
    assert answer["Content-Type"] == "application/problem+json"
    detail = api.get(f"{URL}{interview['id']}/").json()
    assert detail["status"] == "expired"
    assert detail["score"] == round(100 * 2 / 9, 1)
    assert [item["answer"] for item in detail["items"]] == ["in time", "", ""]


@pytest.mark.usefixtures("bank")
def test_starting_while_one_is_open_is_a_409(api: APIClient) -> None:
    begin(api)
    response = api.post(URL, {"topics": ["sql"], "question_count": 1})
    assert response.status_code == 409


@pytest.mark.usefixtures("bank")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"topics": []}, "topics"),
        ({"topics": ["nope"]}, "topics"),
        ({"topics": ["sql"], "question_count": 0}, "question_count"),
        ({"topics": ["sql"], "question_count": 51}, "question_count"),
        ({"topics": ["sql"], "difficulties": ["extreme"]}, "difficulties"),
        ({"topics": ["sql"], "time_limit_minutes": 0}, "time_limit_minutes"),
        ({"topics": ["sql"], "user": 2}, "user"),
    ],
)
def test_invalid_interview_requests_are_400s(
    api: APIClient, body: dict[str, Any], field: str
) -> None:
    response = api.post(URL, body)
    assert response.status_code == 400
    assert any(name.startswith(field) for name in response.json()["errors"])
    assert not Interview.objects.exists()


@pytest.mark.usefixtures("bank")
def test_too_few_matching_questions_is_a_409_saying_how_many(api: APIClient) -> None:
    response = api.post(URL, {"topics": ["sql"], "question_count": 3, "difficulties": ["hard"]})
    assert response.status_code == 409
    assert response.json()["available"] == 2


def test_history_is_newest_first_and_scoped_to_the_learner(
    api: APIClient, learner: User, outsider: User
) -> None:
    now = dt.datetime.now(dt.UTC)
    older = InterviewFactory.create(user=learner, started_at=now - dt.timedelta(days=2), score=40.0)
    newer = InterviewFactory.create(user=learner, started_at=now - dt.timedelta(days=1), score=80.0)
    theirs = InterviewFactory.create(user=outsider)
    body = api.get(URL).json()
    assert [(i["id"], i["score"]) for i in body["results"]] == [(newer.pk, 80.0), (older.pk, 40.0)]
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.post(f"{URL}{theirs.pk}/finish/").status_code == 404
    assert Interview.objects.get(pk=theirs.pk).status == InterviewStatus.FINISHED
