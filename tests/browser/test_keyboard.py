"""What the pages' scripts promise, in a real browser: the editor's and the review's keys,
and the interview countdown.

The journey (test_journey.py) rates cards with Space and 3; here the editor's keys,
the way out of it, and the review's other keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rehearse.accounts.models import User
from rehearse.practice.models import Interview, InterviewStatus, ReviewLog
from rehearse.practice.services import enrolment_create, interview_start
from rehearse.questions.models import Difficulty, Question, QuestionStatus, Topic
from tests.browser.conftest import BrowserPageFactory
from tests.browser.harness import BrowserPage, sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recursion_topic(transactional_db: None) -> Topic:
    topic = Topic.objects.create(slug="recursion", title="Recursion")
    for number in (1, 2):
        Question.objects.create(
            topic=topic,
            slug=f"q{number}",
            title=f"Question {number}",
            prompt="Explain.",
            answer="Like this.",
            difficulty=Difficulty.MEDIUM,
            status=QuestionStatus.PUBLISHED,
            published_at=timezone.now(),
        )
    return topic


@pytest.fixture
def learner_tab(
    browser_page: BrowserPageFactory, make_user: Callable[..., User], live_server: object
) -> tuple[BrowserPage, User]:
    user = make_user("keys@example.org")
    tab = browser_page()
    sign_in_with_cookie(tab, user, str(live_server.url))
    return tab, user


def test_the_kata_editor_indents_like_a_code_editor_and_lets_the_keyboard_out(
    learner_tab: tuple[BrowserPage, User],
) -> None:
    tab, _ = learner_tab
    page = tab.page
    tab.goto("/katas/factorial/")
    editor = page.get_by_label("Python code")
    editor.fill("")
    editor.focus()
    page.keyboard.type("def factorial(n):")
    page.keyboard.press("Enter")  # after ":" the next line is indented
    page.keyboard.type("if n <= 1:")
    page.keyboard.press("Enter")
    page.keyboard.type("return 1")
    page.keyboard.press("Enter")  # keeps the current indentation...
    page.keyboard.press("Shift+Tab")  # ...and Shift+Tab takes one level back
    page.keyboard.type("return n * factorial(n - 1)")
    expected = (
        "def factorial(n):\n    if n <= 1:\n        return 1\n    return n * factorial(n - 1)"
    )
    expect(editor).to_have_value(expected)

    page.keyboard.press("Home")
    page.keyboard.press("Tab")  # Tab indents instead of leaving
    expect(editor).to_be_focused()
    expect(editor).to_have_value(expected.replace("\n    return n", "\n        return n"))

    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # Escape, then Tab: out of the editor
    expect(editor).not_to_be_focused()
    expect(page.get_by_role("button", name="Submit for grading")).to_be_focused()


def test_the_review_answer_opens_with_space_and_other_keys_do_nothing(
    learner_tab: tuple[BrowserPage, User], recursion_topic: Topic
) -> None:
    tab, user = learner_tab
    enrolment_create(user=user, topic=recursion_topic)
    page = tab.page
    tab.goto("/review/")
    answer = page.locator("#answer")
    page.keyboard.press("3")  # rating before the answer is shown: nothing happens
    page.keyboard.press("x")
    expect(answer).to_be_hidden()
    assert ReviewLog.objects.count() == 0

    page.keyboard.press("Space")
    expect(answer).to_be_visible()
    expect(page.get_by_role("button", name="Good 3")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("1")  # Again
    assert list(ReviewLog.objects.values_list("rating", flat=True)) == [1]


def test_the_countdown_sends_the_answers_before_the_deadline(
    learner_tab: tuple[BrowserPage, User], recursion_topic: Topic
) -> None:
    tab, user = learner_tab
    interview = interview_start(
        user=user,
        topics=[recursion_topic],
        difficulties=[Difficulty.MEDIUM],
        question_count=2,
        time_limit=dt.timedelta(minutes=1),
    )
    # Six seconds left: the page must send what was typed before the server's clock ends.
    Interview.objects.filter(pk=interview.pk).update(
        deadline=timezone.now() + dt.timedelta(seconds=6)
    )
    page = tab.page
    tab.goto(f"/interviews/{interview.pk}/")
    page.locator("#q1").get_by_label("Your answer to question 1").fill("Typed in time.")
    page.locator("#q1").get_by_label("2 · Good").check()
    page.locator("#q2").get_by_label("Your answer to question 2").fill("Typed, not graded.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Interview summary", timeout=15_000)
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.FINISHED  # finished in time, not expired
    assert interview.items.get(position=1).answer == "Typed in time."
    assert interview.items.get(position=1).self_grade == 2
    assert interview.items.get(position=2).answered_at is None  # ungraded: not kept
