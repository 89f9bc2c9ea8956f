"""The bank pages: topics, enrolment, the filtered list, a question rendered safely."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rehearse.accounts.models import User
from rehearse.practice.models import Card, Enrolment
from rehearse.questions.models import Question, QuestionStatus, Topic

pytestmark = pytest.mark.django_db


def test_topics_list_counts_only_published_questions(recursion: Topic) -> None:
    Question.objects.create(topic=recursion, slug="draft", title="A draft", prompt="?")
    html = Client().get("/bank/").content.decode()
    assert "Recursion" in html
    assert "4 questions" in html


def test_enrolling_makes_cards_and_leaving_suspends_them(
    recursion: Topic, learner: User, learner_client: Client
) -> None:
    response = learner_client.post("/bank/recursion/enrolment/")
    assert response.status_code == 302
    assert Card.objects.filter(user=learner, is_suspended=False).count() == 4
    page = learner_client.get("/bank/recursion/").content.decode()
    assert "4 new cards in your review queue" in page
    assert "You are studying this topic." in page

    learner_client.post("/bank/recursion/enrolment/", {"leave": "1"})
    assert not Enrolment.objects.filter(user=learner).exists()
    assert Card.objects.filter(user=learner, is_suspended=True).count() == 4


def test_enrolment_needs_a_session_and_a_post(recursion: Topic, learner_client: Client) -> None:
    assert Client().post("/bank/recursion/enrolment/").status_code == 302  # to log in
    assert learner_client.get("/bank/recursion/enrolment/").status_code == 405
    assert learner_client.post("/bank/nope/enrolment/").status_code == 404
    assert not Card.objects.exists()


def test_the_list_filters_with_the_api_rules(recursion: Topic) -> None:
    html = Client().get("/questions/?difficulty=hard").content.decode()
    assert "Recursion question 3" in html
    assert "Recursion question 1" not in html
    html = Client().get("/questions/?search=part 2").content.decode()
    assert "Recursion question 2" in html
    assert "Recursion question 4" not in html


def test_an_impossible_filter_is_a_400_that_says_why(recursion: Topic) -> None:
    response = Client().get("/questions/?difficulty=extreme")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Client().get("/questions/?search=" + "x" * 201).status_code == 400


def test_the_list_pages_through_results(recursion: Topic) -> None:
    for number in range(25):
        Question.objects.create(
            topic=recursion,
            slug=f"extra-{number}",
            title=f"Extra {number}",
            prompt="?",
            status=QuestionStatus.PUBLISHED,
            published_at=timezone.now(),
        )
    first = Client().get("/questions/").content.decode()
    assert "29 questions" in first
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    assert Client().get("/questions/?page=2").status_code == 200
    assert Client().get("/questions/?page=99").status_code == 200  # the last page


def test_a_question_hides_its_answer_until_revealed_and_highlights_code(recursion: Topic) -> None:
    question = recursion.questions.get(slug="question-1")
    html = Client().get(f"/questions/{question.pk}/").content.decode()
    assert '<details class="answer" id="answer">' in html
    assert '<span class="k">def</span>' in html


def test_markdown_script_is_shown_as_text(recursion: Topic) -> None:
    question = recursion.questions.get(slug="question-1")
    question.prompt = "Look: <script>alert(1)</script> <img src=x onerror=alert(2)>"
    question.save()
    html = Client().get(f"/questions/{question.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "<img" not in html


def test_drafts_are_not_found_by_visitors(recursion: Topic) -> None:
    draft = Question.objects.create(topic=recursion, slug="draft", title="Secret", prompt="?")
    assert Client().get(f"/questions/{draft.pk}/").status_code == 404
    assert "Secret" not in Client().get("/bank/recursion/").content.decode()


def test_see_it_in_rehearse_lines_become_links(recursion: Topic, settings: Any) -> None:
    question = recursion.questions.get(slug="question-1")
    question.answer += "\n\nSee it in rehearse: `rehearse/core/markdown.py`, `docs/deploy.md`"
    question.save()
    settings.SOURCE_CODE_URL = "https://example.org/rehearse/blob/main/"
    html = Client().get(f"/questions/{question.pk}/").content.decode()
    assert 'href="https://example.org/rehearse/blob/main/rehearse/core/markdown.py"' in html
    assert 'href="https://example.org/rehearse/blob/main/docs/deploy.md"' in html
    settings.SOURCE_CODE_URL = ""
    html = Client().get(f"/questions/{question.pk}/").content.decode()
    assert "<code>docs/deploy.md</code>" in html
    assert "example.org" not in html
