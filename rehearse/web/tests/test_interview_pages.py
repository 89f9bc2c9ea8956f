"""Mock interview pages: start, answer against the clock, finish, summary."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rehearse.accounts.models import User
from rehearse.practice.models import Card, Interview, InterviewItem, InterviewStatus, ReviewLog
from rehearse.questions.models import Topic

pytestmark = pytest.mark.django_db


def start(client: Client, **fields: object) -> Any:
    return client.post("/interviews/", {"topics": ["recursion"], "question_count": "3", **fields})


def opened(client: Client) -> Interview:
    response = start(client)
    assert response.status_code == 302
    match = re.search(r"/interviews/(\d+)/", response["Location"])
    assert match is not None
    pk = int(match[1])
    return Interview.objects.get(pk=pk)


def test_the_start_form_preselects_enrolled_topics(
    recursion: Topic, learner: User, learner_client: Client
) -> None:
    from rehearse.practice.services import enrolment_create

    enrolment_create(user=learner, topic=recursion)
    html = learner_client.get("/interviews/").content.decode()
    assert 'value="recursion" checked' in html


def test_starting_draws_the_questions_and_shows_the_clock(
    recursion: Topic, learner_client: Client
) -> None:
    interview = opened(learner_client)
    assert interview.items.count() == 3
    html = learner_client.get(f"/interviews/{interview.pk}/").content.decode()
    assert f'data-deadline="{timezone.localtime(interview.deadline).isoformat()}"' in html
    assert interview.deadline - interview.started_at == dt.timedelta(minutes=9)
    for position in (1, 2, 3):
        assert f'<label for="answer-{position}">' in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"topics": []}, "This list may not be empty."),
        ({"topics": ["nope"]}, "No such topic: nope."),
        ({"question_count": "0"}, "greater than or equal to 1"),
        ({"question_count": "51"}, "less than or equal to 50"),
        ({"difficulties": ["extreme"]}, "is not a valid choice"),
        ({"time_limit_minutes": "241"}, "less than or equal to 240"),
    ],
)
def test_a_bad_choice_is_a_400_and_no_interview(
    recursion: Topic, learner_client: Client, fields: dict[str, object], message: str
) -> None:
    response = start(learner_client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Interview.objects.exists()


def test_too_few_questions_and_a_second_interview_are_409s(
    recursion: Topic, learner_client: Client
) -> None:
    response = start(learner_client, question_count="5")
    assert response.status_code == 409
    assert "Only 4 practicable questions" in response.content.decode()
    opened(learner_client)
    response = start(learner_client)
    assert response.status_code == 409
    assert Interview.objects.count() == 1


def test_an_answer_without_a_grade_saves_nothing(recursion: Topic, learner_client: Client) -> None:
    interview = opened(learner_client)
    response = learner_client.post(
        f"/interviews/{interview.pk}/",
        {"answer-1": "kept", "grade-1": "2", "answer-2": "ungraded", "save": "1"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Grade your answer before saving it." in html
    assert "ungraded</textarea>" in html  # what was typed is still there
    assert not InterviewItem.objects.filter(answered_at__isnull=False).exists()


def test_finishing_scores_and_reschedules_the_graded_questions(
    recursion: Topic, learner: User, learner_client: Client
) -> None:
    interview = opened(learner_client)
    response = learner_client.post(
        f"/interviews/{interview.pk}/",
        {"answer-1": "good", "grade-1": "3", "answer-2": "weak", "grade-2": "0", "finish": "1"},
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.FINISHED
    assert interview.score == round(100 * 3 / 9, 1)
    assert ReviewLog.objects.filter(user=learner).count() == 2
    assert Card.objects.filter(user=learner).count() == 2
    html = learner_client.get(f"/interviews/{interview.pk}/").content.decode()
    assert "Interview summary" in html
    weak = interview.items.get(position=2).question.title
    back = re.search(r'<ul id="back-in-review">(.*?)</ul>', html, re.S)
    assert back is not None
    assert weak in back[1]
    assert interview.items.get(position=1).question.title not in back[1]


def test_an_answer_after_the_deadline_is_refused_and_the_interview_expires(
    recursion: Topic, learner_client: Client
) -> None:
    interview = opened(learner_client)
    now = timezone.now()
    Interview.objects.filter(pk=interview.pk).update(
        started_at=now - dt.timedelta(minutes=10), deadline=now - dt.timedelta(seconds=1)
    )
    response = learner_client.post(
        f"/interviews/{interview.pk}/", {"answer-1": "late", "grade-1": "3", "finish": "1"}
    )
    # The overdue interview is closed on arrival: the answer is refused, the summary shown.
    assert response.status_code == 409
    html = response.content.decode()
    assert "This interview is closed (expired)" in html
    assert "Interview summary" in html
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.EXPIRED
    assert not interview.items.filter(answer="late").exists()


def test_another_learners_interview_is_not_found(
    recursion: Topic, learner_client: Client, make_user: Callable[..., User]
) -> None:
    interview = opened(learner_client)
    other = Client()
    other.force_login(make_user("other@example.org"))
    assert other.get(f"/interviews/{interview.pk}/").status_code == 404
    assert other.post(f"/interviews/{interview.pk}/", {"finish": "1"}).status_code == 404
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.OPEN


def test_times_are_shown_in_the_learners_time_zone(
    recursion: Topic, learner: User, learner_client: Client
) -> None:
    learner.time_zone = "Asia/Tokyo"
    learner.save()
    interview = opened(learner_client)
    html = learner_client.get(f"/interviews/{interview.pk}/").content.decode()
    assert 'data-deadline="' in html
    assert "+09:00" in html.split('data-deadline="', 1)[1].split('"', 1)[0]
    api = learner_client.get(f"/api/v1/practice/interviews/{interview.pk}/").json()
    assert api["deadline"].endswith("Z")  # the API stays in UTC
