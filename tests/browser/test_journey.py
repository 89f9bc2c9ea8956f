"""A new learner's first day in rehearse, in a real browser, as the issue tells it.

Sign up → set an interview date → enrol in Recursion → review three cards with the
keyboard only → take a three-question mock interview → submit a correct recursive
factorial and see it pass → see those reviews on the progress page. Then an author
writes a question, a moderator publishes it, and the learner finds it in the bank.

Every step goes through the pages only (no service call, no API): what the test sets
up directly is the bank (the bundled content) and the author's and moderator's
accounts, as an admin would.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from glob import glob
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role
from rehearse.accounts.tests.fixtures import PASSWORD
from rehearse.katas.models import Submission
from rehearse.practice.models import Interview, InterviewStatus, ReviewLog, ReviewSource
from rehearse.questions.models import Question, QuestionStatus
from tests.browser.conftest import BrowserPageFactory
from tests.browser.harness import BrowserPage, assert_no_csp_violations, sign_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "ada@example.org"
NEW_PASSWORD = "an interview in january"
FACTORIAL = '''def factorial(n):
    """n! by recursion: the base case, then one smaller problem."""
    if n <= 1:
        return 1
    return n * factorial(n - 1)
'''
UNIQUE_TITLE = "What does select_for_update lock in a Django queryset"


@pytest.fixture
def bank(transactional_db: None) -> None:
    sheets = sorted(glob(str(settings.BASE_DIR / "content/*.md")))
    call_command("import-questions", *sheets, stdout=StringIO())


def press_and_wait(page: Page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("networkidle")


def follow_link_with_keyboard(page: Page, name: str) -> None:
    """Focus a navigation link and press Enter, as a keyboard user would."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).focus()
    press_and_wait(page, "Enter")


def sign_up(page: Page) -> None:
    page.goto("/signup/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_label("Display name").fill("Ada")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")


def set_interview_date(page: Page, day: dt.date) -> None:
    page.get_by_label("Interview date").fill(day.isoformat())
    page.get_by_label("Time zone").fill("Europe/Paris")
    with page.expect_navigation():
        page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_contain_text("Profile saved.")


def enrol_in_recursion(page: Page) -> None:
    page.goto("/bank/")
    page.get_by_role("link", name="Recursion", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Enrol in Recursion").click()
    expect(page.get_by_role("status")).to_contain_text("Enrolled in Recursion")


def review_three_cards_with_the_keyboard(page: Page) -> None:
    follow_link_with_keyboard(page, "Review")
    counter = page.locator("#left")
    left = int(re.findall(r"\d+", counter.inner_text())[0])
    assert left >= 3
    for done in range(1, 4):
        answer = page.locator("#answer")
        expect(answer).to_be_hidden()
        page.keyboard.press("Space")
        expect(answer).to_be_visible()
        press_and_wait(page, "3")  # Good
        expect(counter).to_have_text(re.compile(rf"^{left - done} cards? left today$"))


def take_a_mock_interview(page: Page) -> None:
    follow_link_with_keyboard(page, "Interviews")
    form = page.locator("#start-interview")
    expect(form.get_by_label("Recursion")).to_be_checked()  # enrolled topics come ticked
    form.get_by_label("Questions").fill("3")
    with page.expect_navigation():
        form.get_by_role("button", name="Start the interview").click()
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    grades = ["3 · Complete", "1 · Partial", "2 · Good"]
    for position, grade in enumerate(grades, start=1):
        item = page.locator(f"#q{position}")
        item.get_by_label(f"Your answer to question {position}").fill(f"My answer {position}.")
        item.get_by_label(grade).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Finish the interview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interview summary")
    expect(page.locator("#score")).to_have_text("66.7 %")  # (3 + 1 + 2) / 9
    expect(page.locator("#back-in-review li")).to_have_count(1)  # the "partial" one


def solve_factorial(page: Page) -> None:
    follow_link_with_keyboard(page, "Katas")
    page.get_by_role("link", name=re.compile("Factorial")).first.click()
    page.get_by_label("Python code").fill(FACTORIAL)
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Submit for grading").click()
    verdict = page.locator("#verdict")
    expect(verdict).to_have_class(re.compile(r"\bpass\b"))
    rows = page.get_by_role("region", name="Test results").locator("tbody tr")
    assert rows.count() >= 3
    expect(rows.locator(".badge.fail")).to_have_count(0)


def check_progress(page: Page, learner: User) -> None:
    follow_link_with_keyboard(page, "Progress")
    today = ReviewLog.objects.filter(user=learner, reviewed_at__date=timezone.now().date())
    queue_reviews = today.filter(source=ReviewSource.QUEUE).count()
    assert queue_reviews == 3
    expect(page.locator("#reviews-today")).to_have_text(str(today.count()))
    expect(page.locator("#streak-current")).to_have_text("1")
    history = page.locator("#interview-history tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("67%")


def write_and_submit_a_draft(page: Page) -> None:
    page.goto("/author/new/")
    page.get_by_label("Topic").select_option(label="SQL and ACID")
    page.get_by_label("Title").fill(UNIQUE_TITLE)
    page.get_by_label("Prompt").fill("Which rows does `select_for_update()` lock, and when?")
    page.get_by_label("Answer").fill("The rows the query returns, until the transaction ends.")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview")).to_contain_text("The rows the query returns")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status")).to_contain_text("submitted for review")


def publish_it(page: Page) -> None:
    page.goto("/moderation/")
    entry = page.locator("li", has=page.get_by_role("heading", name=UNIQUE_TITLE))
    with page.expect_navigation():
        entry.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("published")


def find_it_in_the_bank(page: Page) -> None:
    page.goto("/questions/")
    page.get_by_label("Search").fill("select_for_update lock")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    with page.expect_navigation():
        page.get_by_role("link", name=UNIQUE_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(UNIQUE_TITLE)
    page.get_by_text("Show the answer").click()
    expect(page.locator("#answer")).to_contain_text("until the transaction ends")


def test_a_new_learners_first_day(
    bank: None, browser_page: BrowserPageFactory, make_user: Callable[..., User]
) -> None:
    learner_tab: BrowserPage = browser_page()
    page = learner_tab.page

    sign_up(page)
    learner = User.objects.get(email=EMAIL)
    interview_day = timezone.localdate() + dt.timedelta(days=30)
    set_interview_date(page, interview_day)
    learner.refresh_from_db()
    assert learner.interview_date == interview_day

    enrol_in_recursion(page)
    review_three_cards_with_the_keyboard(page)
    assert ReviewLog.objects.filter(user=learner, source=ReviewSource.QUEUE).count() == 3

    take_a_mock_interview(page)
    interview = Interview.objects.get(user=learner)
    assert interview.status == InterviewStatus.FINISHED
    assert interview.items.count() == 3

    solve_factorial(page)
    assert Submission.objects.get(user=learner).verdict == "passed"

    check_progress(page, learner)
    assert_no_csp_violations(learner_tab)

    # An author writes a question; a moderator publishes it; the learner finds it.
    make_user("author@example.org", Role.AUTHOR)
    make_user("moderator@example.org", Role.MODERATOR)
    author_tab = browser_page()
    sign_in_with_form(author_tab, "author@example.org", PASSWORD)
    write_and_submit_a_draft(author_tab.page)
    question = Question.objects.get(title=UNIQUE_TITLE)
    assert question.status == QuestionStatus.IN_REVIEW

    learner_tab.goto(f"/questions/{question.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")  # not yet

    moderator_tab = browser_page()
    sign_in_with_form(moderator_tab, "moderator@example.org", PASSWORD)
    publish_it(moderator_tab.page)
    question.refresh_from_db()
    assert question.status == QuestionStatus.PUBLISHED

    find_it_in_the_bank(page)
    for tab in (learner_tab, author_tab, moderator_tab):
        assert_no_csp_violations(tab)
