"""The authoring and moderation pages: drafts with a Markdown preview, submission, the
review queue, and the same rules, statuses and audit trail as the question API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role
from rehearse.practice.services import enrolment_create
from rehearse.questions import services
from rehearse.questions.models import Difficulty, Question, QuestionStatus, QuestionTransition
from rehearse.questions.tests.factories import QuestionFactory, TagFactory, TopicFactory
from rehearse.web.views.authoring import QUEUE_SHOWN

pytestmark = pytest.mark.django_db

NEW = "/author/new/"
MODERATION = "/moderation/"


@pytest.fixture
def topic() -> Any:
    return TopicFactory(slug="jwt", title="JWT")


@pytest.fixture
def author(make_user: Callable[..., User]) -> User:
    return make_user("author@example.org", Role.AUTHOR)


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    """Another author, who owns none of ``author``'s questions."""
    return make_user("outsider@example.org", Role.AUTHOR)


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    return make_user("moderator@example.org", Role.MODERATOR)


def signed_in(user: User, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def draft_data(**fields: Any) -> dict[str, Any]:
    return {
        "topic": "jwt",
        "title": "What is a refresh token?",
        "prompt": "Explain what it is **for**.",
        "answer": "A long-lived token.",
        "difficulty": str(Difficulty.HARD),
        "tags": "auth, tokens",
        **fields,
    }


def question_of(author: User, status: str, **fields: Any) -> Question:
    question: Question = QuestionFactory.create(
        topic=TopicFactory(slug="jwt", title="JWT"),
        author=author,
        status=status,
        published_at=None,
        **fields,
    )
    return question


def edit_url(question: Question) -> str:
    return f"/author/{question.pk}/"


def decide_url(question: Question) -> str:
    return f"/moderation/{question.pk}/"


def trail(question: Question) -> list[tuple[str, str, str, str, int | None]]:
    return [
        (t.action, t.from_status, t.to_status, t.reason, t.actor_id)
        for t in QuestionTransition.objects.filter(question=question).order_by("at", "id")
    ]


# -- the whole workflow --------------------------------------------------------------


def test_author_previews_saves_and_submits_then_a_moderator_publishes(
    topic: Any, author: User, moderator: User
) -> None:
    client = signed_in(author)
    assert client.get(NEW).status_code == 200

    prompt = "Explain what it is **for**.\n\n<script>alert('x')</script>"
    preview = client.post(NEW, draft_data(prompt=prompt, preview="1"))
    assert preview.status_code == 200
    html = preview.content.decode()
    section = html[html.index('id="preview"') :]
    assert "<strong>for</strong>" in section
    assert "&lt;script&gt;alert(" in section
    assert "<script>alert" not in html
    assert not Question.objects.exists()  # a preview writes nothing

    saved = client.post(NEW, draft_data(prompt=prompt, action="save"))
    question = Question.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == edit_url(question)
    assert question.author == author
    assert question.status == QuestionStatus.DRAFT
    assert question.slug == "what-is-a-refresh-token"
    assert question.difficulty == Difficulty.HARD
    assert sorted(tag.slug for tag in question.tags.all()) == ["auth", "tokens"]
    assert "saved" in client.get(saved["Location"]).content.decode()

    submitted = client.post(edit_url(question), draft_data(title="Refresh tokens", action="submit"))
    assert submitted.status_code == 302
    assert submitted["Location"] == "/author/"
    question.refresh_from_db()
    assert (question.title, question.status) == ("Refresh tokens", QuestionStatus.IN_REVIEW)
    assert trail(question) == [("submit", "draft", "in_review", "", author.pk)]

    queue = signed_in(moderator).get(MODERATION)
    assert queue.status_code == 200
    assert f'id="question-{question.pk}"' in queue.content.decode()
    assert Client().get(f"/questions/{question.pk}/").status_code == 404

    published = signed_in(moderator).post(decide_url(question), {"action": "publish"})
    assert published.status_code == 302
    assert published["Location"] == MODERATION
    question.refresh_from_db()
    assert question.status == QuestionStatus.PUBLISHED
    assert question.published_at is not None
    page = Client().get(f"/questions/{question.pk}/")
    assert page.status_code == 200
    assert "Refresh tokens" in page.content.decode()


def test_author_home_groups_questions_by_status(author: User, outsider: User) -> None:
    draft = question_of(author, QuestionStatus.DRAFT, title="My draft")
    in_review = question_of(author, QuestionStatus.IN_REVIEW, title="My question in review")
    published = question_of(author, QuestionStatus.PUBLISHED, title="My published question")
    question_of(outsider, QuestionStatus.PUBLISHED, title="Somebody else's")
    response = signed_in(author).get("/author/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert "Somebody else&#x27;s" not in html
    assert 'href="/author/new/"' in html
    positions = [
        html.index('id="group-draft"'),
        html.index(f'href="{edit_url(draft)}"'),
        html.index('id="group-in_review"'),
        html.index(f'href="{edit_url(in_review)}"'),
        html.index('id="group-published"'),
        html.index(f'href="{edit_url(published)}"'),
    ]
    assert positions == sorted(positions)


def test_author_home_query_count_does_not_grow_with_questions(
    author: User, moderator: User
) -> None:
    def count() -> int:
        client = signed_in(author)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/author/").status_code == 200
        return len(queries)

    def rejected_draft() -> None:
        question = question_of(author, QuestionStatus.DRAFT)
        services.question_submit(question=question, by=author)
        services.question_reject(question=question, by=moderator, reason="Too vague.")

    rejected_draft()
    few = count()
    for _ in range(5):
        rejected_draft()
        question_of(author, QuestionStatus.PUBLISHED)
    assert count() == few


# -- preview, validation -------------------------------------------------------------


def test_preview_of_an_existing_draft_does_not_save(topic: Any, author: User) -> None:
    question = question_of(author, QuestionStatus.DRAFT, title="Before")
    response = signed_in(author).post(
        edit_url(question), draft_data(title="After", answer="`code`", preview="1")
    )
    assert response.status_code == 200
    assert "<code>code</code>" in response.content.decode()
    question.refresh_from_db()
    assert question.title == "Before"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"topic": "no-such-topic"}, "topic", "Select a valid choice."),
        ({"prompt": "   "}, "prompt", "This field is required."),
        ({"difficulty": "7"}, "difficulty", "Select a valid choice."),
        ({"tags": "not a slug"}, "tags", "letters, numbers, underscores or hyphens"),
        ({"tags": ",".join(f"t{n}" for n in range(21))}, "tags", "no more than 20"),
        ({"tags": "x" * 51}, "tags", "no more than 50 characters"),
    ],
)
def test_invalid_draft_is_a_400_with_errors_and_writes_nothing(
    topic: Any, author: User, fields: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(author).post(NEW, draft_data(action="save", **fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert not Question.objects.exists()


def test_invalid_edit_changes_nothing(author: User) -> None:
    question = question_of(author, QuestionStatus.DRAFT, title="Before")
    response = signed_in(author).post(edit_url(question), draft_data(title="", action="save"))
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.title == "Before"


def test_unknown_draft_action_is_a_400(topic: Any, author: User) -> None:
    response = signed_in(author).post(NEW, draft_data(action="publish"))
    assert response.status_code == 400
    assert "Unknown action" in response.content.decode()
    assert not Question.objects.exists()


# -- state rules: the services' 409 --------------------------------------------------


@pytest.mark.parametrize("status", [QuestionStatus.IN_REVIEW, QuestionStatus.PUBLISHED])
def test_author_sees_a_question_past_draft_read_only(author: User, status: str) -> None:
    question = question_of(author, status, prompt="Read **this**.")
    response = signed_in(author).get(edit_url(question))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="draft"' not in html  # no form
    assert "authors can change only their drafts" in html
    assert "<strong>this</strong>" in html


@pytest.mark.parametrize("action", ["save", "submit", "preview"])
def test_author_post_to_a_question_in_review_is_a_409(author: User, action: str) -> None:
    question = question_of(author, QuestionStatus.IN_REVIEW, title="Before")
    data = draft_data(
        title="After", **({"preview": "1"} if action == "preview" else {"action": action})
    )
    response = signed_in(author).post(edit_url(question), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "This question is in review: authors can change only their drafts." in html
    question.refresh_from_db()
    assert (question.title, question.status) == ("Before", QuestionStatus.IN_REVIEW)
    assert not QuestionTransition.objects.exists()


def test_author_cannot_delete_a_question_in_review(author: User) -> None:
    question = question_of(author, QuestionStatus.IN_REVIEW)
    response = signed_in(author).post(edit_url(question), {"action": "delete"})
    assert response.status_code == 409
    assert Question.objects.filter(pk=question.pk).exists()


def test_author_deletes_a_draft(author: User) -> None:
    question = question_of(author, QuestionStatus.DRAFT)
    client = signed_in(author)
    page = client.get(edit_url(question)).content.decode()
    assert re.search(r'<form method="post" class="actions" data-confirm="Delete', page)
    response = client.post(edit_url(question), {"action": "delete"})
    assert response.status_code == 302
    assert response["Location"] == "/author/"
    assert not Question.objects.filter(pk=question.pk).exists()


def test_moderator_edits_a_published_question(moderator: User, author: User) -> None:
    question = question_of(author, QuestionStatus.PUBLISHED, title="Before")
    response = signed_in(moderator).post(edit_url(question), draft_data(title="After"))
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.title, question.status) == ("After", QuestionStatus.PUBLISHED)


def test_refused_submission_saves_nothing(moderator: User, author: User) -> None:
    """A moderator may edit a published question but not submit it: the edit is undone."""
    question = question_of(author, QuestionStatus.PUBLISHED, title="Before")
    response = signed_in(moderator).post(
        edit_url(question), draft_data(title="After", action="submit")
    )
    assert response.status_code == 409
    assert "only a draft can be submitted for review" in response.content.decode()
    question.refresh_from_db()
    assert (question.title, question.status) == ("Before", QuestionStatus.PUBLISHED)


# -- moderation ------------------------------------------------------------------------


def test_reject_needs_a_reason_and_the_author_reads_it(author: User, moderator: User) -> None:
    question = question_of(author, QuestionStatus.IN_REVIEW)
    client = signed_in(moderator)
    for data in ({"action": "reject"}, {"action": "reject", "reason": "   "}):
        response = client.post(decide_url(question), data)
        assert response.status_code == 400
        html = response.content.decode()
        assert 'role="alert"' in html
        assert f'id="id_rejectform_{question.pk}_reason_error"' in html
        question.refresh_from_db()
        assert question.status == QuestionStatus.IN_REVIEW
        assert not QuestionTransition.objects.exists()

    reason = "Say when a refresh token is *not* enough."
    response = client.post(decide_url(question), {"action": "reject", "reason": reason})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.DRAFT

    mine = signed_in(author)
    home = mine.get("/author/").content.decode()
    assert "Rejected on" in home
    assert "Say when a refresh token is *not* enough." in home
    assert reason in mine.get(edit_url(question)).content.decode()


@pytest.mark.parametrize(
    ("status", "action", "body"),
    [
        (QuestionStatus.IN_REVIEW, "publish", {}),
        (QuestionStatus.IN_REVIEW, "reject", {"reason": "Too vague."}),
        (QuestionStatus.PUBLISHED, "unpublish", {"reason": "Outdated."}),
        (QuestionStatus.PUBLISHED, "unpublish", {}),
    ],
)
def test_decisions_write_the_same_audit_trail_as_the_api(
    author: User, moderator: User, status: str, action: str, body: dict[str, str]
) -> None:
    by_page = question_of(author, status)
    by_api = question_of(author, status)
    response = signed_in(moderator).post(decide_url(by_page), {"action": action, **body})
    assert response.status_code == 302
    api = APIClient()
    api.force_authenticate(moderator)
    assert api.post(f"/api/v1/questions/{by_api.pk}/{action}/", body).status_code == 200
    by_page.refresh_from_db()
    by_api.refresh_from_db()
    assert by_page.status == by_api.status
    assert trail(by_page) == trail(by_api)
    assert len(trail(by_page)) == 1


def test_second_moderator_gets_a_409_not_a_500(
    author: User, moderator: User, make_user: Callable[..., User]
) -> None:
    question = question_of(author, QuestionStatus.IN_REVIEW)
    other = make_user("moderator2@example.org", Role.MODERATOR)
    first = signed_in(moderator).post(decide_url(question), {"action": "publish"})
    assert first.status_code == 302
    for data in ({"action": "publish"}, {"action": "reject", "reason": "Too late."}):
        second = signed_in(other).post(decide_url(question), data)
        assert second.status_code == 409
        assert "This question is published" in second.content.decode()
    assert len(trail(question)) == 1


def test_unknown_moderation_action_is_a_400(author: User, moderator: User) -> None:
    question = question_of(author, QuestionStatus.IN_REVIEW)
    for data in ({"action": "approve"}, {}):
        response = signed_in(moderator).post(decide_url(question), data)
        assert response.status_code == 400
        assert "Unknown action" in response.content.decode()
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_REVIEW


def test_queue_lists_questions_in_review_oldest_submission_first(
    author: User, moderator: User
) -> None:
    older = question_of(author, QuestionStatus.DRAFT, title="Submitted first")
    newer = question_of(author, QuestionStatus.DRAFT, title="Submitted second")
    client = signed_in(author)
    for question in (older, newer):
        data = draft_data(title=question.title, action="submit")
        assert client.post(edit_url(question), data).status_code == 302
    question_of(author, QuestionStatus.DRAFT, title="Still a draft")
    html = signed_in(moderator).get(MODERATION).content.decode()
    queue = html[: html.index('id="published-heading"')]
    assert queue.index("Submitted first") < queue.index("Submitted second")
    assert "Still a draft" not in html
    assert "by author@example.org" in queue


def test_decide_answers_post_only(author: User, moderator: User) -> None:
    question = question_of(author, QuestionStatus.IN_REVIEW)
    assert signed_in(moderator).get(decide_url(question)).status_code == 405


# -- who may do what -------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(author: User) -> None:
    question = question_of(author, QuestionStatus.DRAFT)
    for url in ("/author/", NEW, edit_url(question), MODERATION):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    assert Client().post(decide_url(question), {"action": "publish"}).status_code == 302


def test_learner_may_neither_author_nor_moderate(learner: User, author: User) -> None:
    question = question_of(author, QuestionStatus.IN_REVIEW)
    client = signed_in(learner)
    for url in ("/author/", NEW, edit_url(question), MODERATION):
        assert client.get(url).status_code == 403
    assert client.post(NEW, draft_data()).status_code == 403
    assert client.post(decide_url(question), {"action": "publish"}).status_code == 403
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_REVIEW


def test_author_cannot_open_another_authors_question(author: User, outsider: User) -> None:
    draft = question_of(author, QuestionStatus.DRAFT, title="Before")
    published = question_of(author, QuestionStatus.PUBLISHED, title="Public")
    client = signed_in(outsider)
    assert client.get(edit_url(draft)).status_code == 404
    assert client.post(edit_url(draft), draft_data(title="Mine now")).status_code == 404
    assert client.post(edit_url(draft), {"action": "delete"}).status_code == 404
    # Published: visible to everyone, but not theirs to edit (the API's 403).
    assert client.get(edit_url(published)).status_code == 403
    assert client.post(edit_url(published), draft_data()).status_code == 403
    draft.refresh_from_db()
    assert draft.title == "Before"


def test_author_cannot_moderate(author: User) -> None:
    question = question_of(author, QuestionStatus.IN_REVIEW)
    client = signed_in(author)
    assert client.get(MODERATION).status_code == 403
    assert client.post(decide_url(question), {"action": "publish"}).status_code == 403
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_REVIEW


def test_csrf_is_enforced(topic: Any, author: User, moderator: User) -> None:
    question = question_of(author, QuestionStatus.IN_REVIEW)
    assert signed_in(author, enforce_csrf_checks=True).post(NEW, draft_data()).status_code == 403
    moderating = signed_in(moderator, enforce_csrf_checks=True)
    assert moderating.post(decide_url(question), {"action": "publish"}).status_code == 403
    assert Question.objects.count() == 1
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_REVIEW


# -- the pages themselves ------------------------------------------------------------


def test_pages_have_no_inline_script_or_style(author: User, moderator: User) -> None:
    """The Content-Security-Policy would block them; every control has a label."""
    draft = question_of(author, QuestionStatus.DRAFT)
    question_of(author, QuestionStatus.IN_REVIEW)
    question_of(author, QuestionStatus.PUBLISHED)
    pages = [
        signed_in(author).get("/author/"),
        signed_in(author).get(NEW),
        signed_in(author).get(edit_url(draft)),
        signed_in(author).post(edit_url(draft), draft_data(preview="1")),
        signed_in(moderator).get(MODERATION),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "Content-Security-Policy" in page
        html = page.content.decode()
        assert html.count("<h1") == 1
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html)
        for control in re.findall(r'<(?:textarea|select|input)[^>]*\bid="([^"]+)"', html):
            assert f'for="{control}"' in html, control


def test_question_with_practice_history_cannot_be_deleted(
    author: User, moderator: User, learner: User
) -> None:
    question = question_of(author, QuestionStatus.PUBLISHED)
    enrolment_create(user=learner, topic=question.topic)
    response = signed_in(moderator).post(edit_url(question), {"action": "delete"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="refusal"' in html
    assert "unpublish it instead of deleting it" in html
    assert Question.objects.filter(pk=question.pk).exists()


def test_queue_is_capped_and_its_query_count_does_not_grow(author: User, moderator: User) -> None:
    def queue_page() -> tuple[int, str]:
        client = signed_in(moderator)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(MODERATION)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    def submitted() -> None:
        question = question_of(author, QuestionStatus.DRAFT)
        question.tags.set([TagFactory.create(slug="auth")])
        services.question_submit(question=question, by=author)

    submitted()
    question_of(author, QuestionStatus.PUBLISHED)
    few, _ = queue_page()
    for _ in range(QUEUE_SHOWN + 4):
        submitted()
        question_of(author, QuestionStatus.PUBLISHED)
    many, html = queue_page()
    assert many <= few + 1  # the count of a queue longer than the page
    assert html.count('<article aria-labelledby="title-') == QUEUE_SHOWN
    assert f"the first {QUEUE_SHOWN} of {QUEUE_SHOWN + 5}" in html
