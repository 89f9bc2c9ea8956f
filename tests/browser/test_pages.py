"""The study pages pass the acceptance checks, each page at 375 px and at 1280 px.

``PAGES`` is the one list of pages. For each, at each width, as the persona it names
(signed in by session cookie), the page must answer 200 without a redirect, with a
strict Content-Security-Policy (nothing inline allowed), fit the
window's width, have no two visible controls overlapping, break no rule of its
Content-Security-Policy, show axe-core no serious or critical violation in the light
colour scheme nor in the dark one, and weigh less than 150 KB of HTML, CSS and
JavaScript. Folded ``<details>`` (answers) are opened and checked too. Screenshots (light
as loaded, dark unfolded) go to var/screenshots/<test id>/ for a person to look at.
``tests/browser/test_harness.py`` shows that each check can fail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from typing import Any, Literal
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role
from rehearse.accounts.tests.fixtures import PASSWORD
from rehearse.katas.grader import Verdict
from rehearse.katas.models import Submission
from rehearse.oauth import services as oauth_services
from rehearse.practice.models import Card, Interview, Rating
from rehearse.practice.services import (
    enrolment_create,
    interview_answer,
    interview_finish,
    interview_start,
    review_record,
)
from rehearse.questions.models import Difficulty, Question, Topic
from rehearse.questions.services import (
    question_create,
    question_publish,
    question_submit,
)
from tests.browser.conftest import BrowserPageFactory
from tests.browser.harness import (
    BrowserPage,
    assert_fits_width,
    assert_no_csp_violations,
    assert_strict_csp,
    assert_within_budget,
    axe_serious_violations,
    expand_details,
    overlapping_controls,
    screenshot,
    sign_in_with_cookie,
    sign_in_with_form,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Persona = Literal["learner", "author", "moderator"]
WIDTHS = (375, 1280)
XSS = "<script>window.__pwned = 1</script>"


@dataclass
class Study:
    """What the pages show: the bundled bank, one account per persona, and their work."""

    users: dict[Persona, User]
    question: Question  # published, answered, with highlighted code
    finished_interview: Interview
    open_interview: Interview
    submission: Submission
    draft: Question
    consent_url: str


@dataclass(frozen=True)
class PageSpec:
    name: str
    path: str | Callable[[Study], str]
    persona: Persona | None = None  # None: anonymous

    def url(self, study: Study) -> str:
        return self.path if isinstance(self.path, str) else self.path(study)

    @property
    def id(self) -> str:
        return f"{self.name}-{self.persona or 'anonymous'}"


PAGES = [
    PageSpec("home", "/"),
    PageSpec("signup", "/signup/"),
    PageSpec("login", "/accounts/login/"),
    PageSpec("topics", "/bank/"),
    PageSpec("questions", "/questions/"),
    PageSpec("question", lambda study: f"/questions/{study.question.pk}/"),
    PageSpec("katas", "/katas/"),
    PageSpec("kata", "/katas/factorial/"),
    PageSpec("home", "/", "learner"),
    PageSpec("profile", "/accounts/profile/", "learner"),
    PageSpec("password", "/accounts/password/", "learner"),
    PageSpec("topic", "/bank/recursion/", "learner"),
    PageSpec("review", "/review/", "learner"),
    PageSpec("interviews", "/interviews/", "learner"),
    PageSpec("progress", "/progress/", "learner"),
    PageSpec("author", "/author/", "author"),
    PageSpec("draft-new", "/author/new/", "author"),
    PageSpec("moderation", "/moderation/", "moderator"),
    # Pages of one object.
    PageSpec("interview-open", lambda study: f"/interviews/{study.open_interview.pk}/", "learner"),
    PageSpec(
        "interview-summary",
        lambda study: f"/interviews/{study.finished_interview.pk}/",
        "learner",
    ),
    PageSpec("kata-editor", "/katas/factorial/", "learner"),
    PageSpec(
        "submission",
        lambda study: f"/katas/factorial/submissions/{study.submission.pk}/",
        "learner",
    ),
    PageSpec("draft-edit", lambda study: f"/author/{study.draft.pk}/", "author"),
    PageSpec("oauth-consent", lambda study: study.consent_url, "learner"),
]


@pytest.fixture
def study(make_user: Callable[..., User]) -> Study:
    # Function-scoped: the live server needs a transactional database, which is emptied
    # after every test. Building all of this takes about 0.2 s.
    bank = sorted(settings.BASE_DIR.glob("content/*.md"))
    call_command("import-questions", *bank, stdout=StringIO())
    learner = make_user("learner@example.org", display_name="Ada Learner")
    author = make_user("author@example.org", Role.AUTHOR)
    moderator = make_user("moderator@example.org", Role.MODERATOR)
    recursion = Topic.objects.get(slug="recursion")

    # The learner: every recursion card due, one already reviewed, one mock interview.
    enrolment_create(user=learner, topic=recursion)
    card = Card.objects.filter(user=learner).order_by("pk").first()
    assert card is not None
    review_record(card=card, user=learner, rating=Rating.GOOD, duration_ms=12_000)
    interview = interview_start(
        user=learner,
        topics=[recursion],
        difficulties=list(Difficulty.values),
        question_count=3,
        time_limit=dt.timedelta(minutes=30),
    )
    interview_answer(
        interview=interview, position=1, answer="A function that calls itself.", self_grade=1
    )
    interview_finish(interview=interview)
    open_interview = interview_start(
        user=learner,
        topics=[recursion],
        difficulties=list(Difficulty.values),
        question_count=2,
        time_limit=dt.timedelta(minutes=30),
    )
    submission = Submission.objects.create(
        user=learner,
        kata="factorial",
        code="def factorial(n: int) -> int:\n    return 1 if n < 2 else n * factorial(n - 1)\n",
        verdict=Verdict.PASSED,
        message="All 11 tests passed.",
        results=[
            {
                "index": index,
                "name": name,
                "hidden": hidden,
                "verdict": "passed",
                "detail": "",
                "arguments": None if hidden else "(5,)",
                "expected": None if hidden else "120",
                "got": None if hidden else "120",
                "elapsed_seconds": 0.001,
                "recursed": True,
            }
            for index, (name, hidden) in enumerate(
                [("example", False), ("edge: zero", False), ("deep", True)]
            )
        ],
        output="computing factorial(5)\n",
        duration_ms=830,
    )

    # The author: a draft, and a question waiting for the moderator.
    draft = question_create(
        author=author,
        topic=recursion,
        title="Flatten a nested list",
        prompt="Write `flatten(items)` recursively.",
        answer="Recurse on each item that is a list.",
    )
    waiting = question_create(
        author=author,
        topic=recursion,
        title="Count the nodes of a tree",
        prompt="Count them recursively, then without recursion.",
        answer="`1 + sum(count(child) for child in node.children)`",
    )
    question_submit(question=waiting, by=author)

    # A third-party application asking the learner for access (the consent page).
    admin = make_user("admin@example.org", is_staff=True)
    application = oauth_services.application_create(
        name="Flashcard Buddy",
        client_type=oauth_services.PUBLIC,
        grant_type=oauth_services.AUTHORIZATION_CODE,
        redirect_uris=["http://127.0.0.1:8765/callback"],
        allowed_scopes=["openid", "profile", "questions:read", "practice:read"],
        by=admin,
    ).application
    consent_query = urlencode(
        {
            "response_type": "code",
            "client_id": application.client_id,
            "redirect_uri": "http://127.0.0.1:8765/callback",
            "scope": "openid profile questions:read practice:read",
            "state": "xyz",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
    )

    return Study(
        users={"learner": learner, "author": author, "moderator": moderator},
        question=Question.objects.get(topic=recursion, slug="factorial"),
        finished_interview=interview,
        open_interview=open_interview,
        submission=submission,
        draft=draft,
        consent_url=f"/o/authorize/?{consent_query}",
    )


def open_as(
    browser_page: BrowserPageFactory, live_server: Any, user: User | None, width: int
) -> BrowserPage:
    bp = browser_page(width=width)
    if user is not None:
        sign_in_with_cookie(bp, user, live_server.url)
    return bp


@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"{width}px")
@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.id)
def test_page(
    spec: PageSpec,
    width: int,
    study: Study,
    browser_page: BrowserPageFactory,
    live_server: Any,
) -> None:
    user = study.users[spec.persona] if spec.persona else None
    bp = open_as(browser_page, live_server, user, width)
    path = spec.url(study)

    response = bp.goto(path)
    first = response.request.redirected_from
    assert first is None, f"{path} redirected to {response.url}"
    assert response.status == 200, f"{path} answered {response.status}"
    assert_strict_csp(response)
    screenshot(bp, "light")

    # Every check runs and every failure is reported together: one run shows a page's
    # author all that is wrong with it.
    problems: list[str] = []

    def check(name: str, run: Callable[[], None]) -> None:
        try:
            run()
        except AssertionError as exc:
            problems.append(f"{name}: {exc}")

    def no_overlaps() -> None:
        if pairs := overlapping_controls(bp):
            raise AssertionError("\n".join(f"{a}  overlaps  {b}" for a, b in pairs))

    def accessible() -> None:
        if found := axe_serious_violations(bp):
            raise AssertionError("\n".join(found))

    check("width", lambda: assert_fits_width(bp))
    check("overlapping controls", no_overlaps)
    # What folded answers hide must pass too (code, tables, the rating buttons).
    if expand_details(bp):
        check("width, <details> open", lambda: assert_fits_width(bp))
        check("overlapping controls, <details> open", no_overlaps)
    check("axe, light scheme", accessible)
    bp.color_scheme("dark")
    screenshot(bp, "dark-expanded")
    check("axe, dark scheme", accessible)
    check("CSP", lambda: assert_no_csp_violations(bp))
    check("page weight", lambda: assert_within_budget(bp))

    if problems:
        pytest.fail(f"{spec.id} at {width}px ({path}):\n" + "\n".join(problems), pytrace=False)


def test_a_script_in_markdown_is_shown_as_text_and_never_run(
    study: Study, browser_page: BrowserPageFactory
) -> None:
    author = study.users["author"]
    moderator = study.users["moderator"]
    question = question_create(
        author=author,
        topic=Topic.objects.get(slug="recursion"),
        title="A prompt with a script in it",
        prompt=f"What does this do?\n\n{XSS}\n",
        answer="It is text.",
    )
    question_submit(question=question, by=author)
    question_publish(question=question, by=moderator)
    bp = browser_page()

    response = bp.goto(f"/questions/{question.pk}/")

    assert response.status == 200
    assert bp.page.get_by_text(XSS).first.is_visible()
    assert bp.page.evaluate("() => typeof window.__pwned") == "undefined"
    scripts = bp.page.eval_on_selector_all("script", "all => all.map((s) => s.outerHTML)")
    assert not [script for script in scripts if "__pwned" in script]
    assert_strict_csp(response)
    assert_no_csp_violations(bp)


def test_the_login_form_signs_a_learner_in(study: Study, browser_page: BrowserPageFactory) -> None:
    bp = browser_page(width=375)

    sign_in_with_form(bp, study.users["learner"].email, PASSWORD)
    response = bp.goto("/progress/")

    assert response.request.redirected_from is None, f"still signed out: {response.url}"
    assert response.status == 200
    assert_no_csp_violations(bp)
