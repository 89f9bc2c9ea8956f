"""The progress page: the same numbers as the progress API, as stats, SVG charts with
data tables, and the interview history; an empty page for a new learner."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rehearse.accounts.models import User
from rehearse.practice import scheduling, selectors
from rehearse.practice.models import InterviewStatus, ReviewDay
from rehearse.practice.tests.factories import (
    CardFactory,
    InterviewFactory,
    ReviewedCardFactory,
)
from rehearse.questions.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db

URL = "/progress/"
API = "/api/v1/practice"
# UTC+14: the learner's date is tomorrow's UTC date for most of the UTC day, so a page
# that took "today" from UTC would disagree with the API.
ZONE = "Pacific/Kiritimati"


@pytest.fixture
def learner(make_user: Callable[..., User]) -> User:
    """The shared persona, living far east of UTC."""
    return make_user("learner@example.org", time_zone=ZONE)


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    return make_user("mallory@example.org")


def local_today(user: User) -> dt.date:
    return scheduling.local_day(timezone.now(), selectors.user_zone(user))


def populate(learner: User, outsider: User, size: int = 3) -> None:
    """Cards in two topics, reviews on some recent days, interviews; the outsider's too."""
    sql = TopicFactory.create(slug="sql", title="SQL")
    http = TopicFactory.create(slug="http", title="HTTP")
    for index in range(size):
        ReviewedCardFactory.create(
            user=learner,
            question=QuestionFactory.create(topic=sql if index % 2 else http),
            stability=5.0 + index,
            days_ago=index % 4,
        )
    CardFactory.create(user=learner, question=QuestionFactory.create(topic=sql))  # new
    CardFactory.create(user=learner, due=timezone.now() + dt.timedelta(days=2, hours=1))
    ReviewedCardFactory.create(user=outsider, question=QuestionFactory.create(topic=sql))
    today = local_today(learner)
    for offset, (again, good) in {0: (1, 4), 1: (0, 2), 2: (2, 1), 5: (0, 7), 40: (0, 9)}.items():
        ReviewDay.objects.create(
            user=learner, day=today - dt.timedelta(days=offset), again=again, good=good
        )
    ReviewDay.objects.create(user=outsider, day=today, good=50)
    for days_ago in range(size):
        interview = InterviewFactory.create(
            user=learner,
            started_at=timezone.now() - dt.timedelta(days=days_ago, hours=1),
            questions=[QuestionFactory.create(topic=sql)],
        )
        interview.topics.add(sql, http)
    InterviewFactory.create(user=outsider, score=99.0)


def test_the_page_needs_a_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/progress/"


def test_a_new_learner_sees_zeros_and_what_to_do_next(learner_client: Client) -> None:
    response = learner_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1>") == 1
    assert '<strong id="streak-current">0</strong> days in a row' in page
    assert '<strong id="reviews-today">0</strong> reviews today' in page
    assert "You are not studying any topic yet." in page
    assert "No reviews in the last 30 days." in page
    assert "No card comes due in the next 7 days." in page
    assert "No mock interviews yet." in page
    assert "<svg" not in page


def test_the_numbers_are_the_apis(learner_client: Client, learner: User, outsider: User) -> None:
    populate(learner, outsider)
    response = learner_client.get(URL)
    assert response.status_code == 200
    context = response.context

    streak = learner_client.get(f"{API}/progress/streak/").json()
    assert (context["streak"].current, context["streak"].longest) == (3, 3)
    assert (context["streak"].current, context["streak"].longest) == (
        streak["current"],
        streak["longest"],
    )
    assert str(context["today"]) == streak["today"]

    activity = learner_client.get(f"{API}/progress/activity/").json()
    assert (str(context["activity"].first_day), str(context["activity"].last_day)) == (
        activity["first_day"],
        activity["last_day"],
    )
    page_days = [(str(day["day"]), day["reviews"]) for day in context["activity_days"]]
    assert page_days == [(day["day"], day["reviews"]) for day in activity["days"]]
    assert len(page_days) == 4  # the day 40 days ago is outside the window
    today = activity["days"][-1]
    assert today["day"] == streak["today"]
    assert context["reviews_today"] == today["reviews"] == 5

    topics = learner_client.get(f"{API}/progress/topics/").json()
    assert [(row["topic_slug"], row["cards"], row["reviewed"]) for row in context["mastery"]] == [
        (row["topic_slug"], row["cards"], row["reviewed"]) for row in topics
    ]
    for row, api_row in zip(context["mastery"], topics, strict=True):
        assert row["mastery"] == pytest.approx(api_row["mastery"])

    forecast = learner_client.get(f"{API}/progress/forecast/").json()
    assert [(str(day["day"]), day["cards"]) for day in context["forecast"]] == [
        (day["day"], day["cards"]) for day in forecast["days"]
    ]
    assert context["forecast_total"] == sum(day["cards"] for day in forecast["days"]) > 0

    interviews = learner_client.get(f"{API}/interviews/").json()["results"]
    assert [interview.pk for interview in context["interviews"]] == [
        interview["id"] for interview in interviews
    ]

    page = response.content.decode()
    assert f'<strong id="streak-current">{streak["current"]}</strong>' in page
    assert f'<strong id="streak-longest">{streak["longest"]}</strong>' in page
    assert f'<strong id="reviews-today">{today["reviews"]}</strong>' in page
    for row in context["mastery"]:
        assert f'<th scope="row">{row["topic_title"]}</th><td>{row["cards"]}</td>' in page
        assert f"{round(row['mastery'] * 100)}%" in page


def test_each_chart_is_an_svg_image_with_a_title_and_a_data_table(
    learner_client: Client, learner: User, outsider: User
) -> None:
    populate(learner, outsider)
    page = learner_client.get(URL).content.decode()
    for chart, table in [
        ("mastery-chart", "mastery-data"),
        ("activity-chart", "activity-data"),
        ("forecast-chart", "forecast-data"),
    ]:
        svg = re.search(
            rf'<svg class="chart sized" role="img" aria-labelledby="{chart}-title" '
            rf'viewBox="0 0 [\d.]+ [\d.]+" id="{chart}">(.*?)</svg>',
            page,
            re.DOTALL,
        )
        assert svg, chart
        assert f'<title id="{chart}-title">' in svg.group(1)
        assert '<rect class="bar' in svg.group(1)
        assert re.search(
            rf'<details class="data">\s*<summary>Data</summary>\s*'
            rf'<div class="table-wrap"[^>]*>\s*<table id="{table}">\s*<caption>',
            page,
        )
    assert "Forgotten (Again)" in page  # the stacked chart's legend
    assert 'style="' not in page
    assert "<style" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None


def test_the_interview_history_is_the_learners_own_with_links(
    learner_client: Client, learner: User, outsider: User
) -> None:
    populate(learner, outsider)
    overdue = InterviewFactory.create(
        user=learner,
        status=InterviewStatus.OPEN,
        started_at=timezone.now() - dt.timedelta(minutes=30),
        deadline=timezone.now() - dt.timedelta(minutes=5),
    )
    page = learner_client.get(URL).content.decode()
    table = re.search(r'<table id="interview-history">(.*?)</table>', page, re.DOTALL)
    assert table
    rows = re.findall(r"<tr>.*?</tr>", table.group(1), re.DOTALL)[1:]
    assert len(rows) == 4
    assert f'href="/interviews/{overdue.pk}/"' in rows[0]
    assert "expired" in rows[0]  # closed on the way, as the interviews API does
    assert "0 of 0 answered" in rows[0]
    assert all("50%" in row and "finished" in row and "HTTP, SQL" in row for row in rows[1:])
    assert "99%" not in page


def test_the_page_runs_a_fixed_number_of_queries(
    learner_client: Client, learner: User, outsider: User
) -> None:
    populate(learner, outsider, size=2)
    learner_client.get(URL)  # the mastery cache filled

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get(URL).status_code == 200
        return len(captured)

    few = queries()
    topic = TopicFactory.create(slug="tls", title="TLS")
    for _ in range(12):
        ReviewedCardFactory.create(user=learner, question=QuestionFactory.create(topic=topic))
        InterviewFactory.create(user=learner, questions=[QuestionFactory.create(topic=topic)])
    today = local_today(learner)
    ReviewDay.objects.bulk_create(
        ReviewDay(user=learner, day=today - dt.timedelta(days=offset), hard=1)
        for offset in range(6, 20)
    )
    assert queries() == few
