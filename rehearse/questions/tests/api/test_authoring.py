"""The authoring workflow through the API: create, edit, submit, publish, reject,
unpublish, delete, and the audit trail moderators read."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rehearse.accounts.tokens import tokens_issue
from rehearse.questions import services
from rehearse.questions.models import (
    Difficulty,
    Question,
    QuestionStatus,
    QuestionTransition,
    Tag,
)
from rehearse.questions.tests.conftest import Bank, Personas
from rehearse.questions.tests.factories import QuestionFactory, TagFactory, TopicFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/questions/"


def new_question(**fields: Any) -> dict[str, Any]:
    return {
        "topic": "jwt",
        "title": "What is a refresh token?",
        "prompt": "Explain what it is for.",
        **fields,
    }


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    return body


# -- create -----------------------------------------------------------------------------


def test_create_makes_a_draft_owned_by_the_author(personas: Personas) -> None:
    TopicFactory(slug="jwt", title="JWT")
    TagFactory(slug="auth")
    response = personas.client("author").post(
        URL,
        new_question(answer="A long-lived token.", difficulty="hard", tags=["auth", "tokens"]),
    )
    body = ok(response, 201)
    question = Question.objects.get(pk=body["id"])
    assert response["Location"] == f"http://testserver{URL}{question.pk}/"
    assert question.author == personas.author
    assert question.status == QuestionStatus.DRAFT
    assert question.published_at is None
    assert body["slug"] == "what-is-a-refresh-token"
    assert body["topic"] == {"slug": "jwt", "title": "JWT"}
    assert body["difficulty"] == "hard"
    assert sorted(body["tags"]) == ["auth", "tokens"]
    assert Tag.objects.filter(slug="tokens").exists()  # created on the way
    assert not QuestionTransition.objects.exists()  # creation is on the question itself


def test_same_title_in_one_topic_gets_a_numbered_slug(personas: Personas) -> None:
    TopicFactory(slug="jwt")
    TopicFactory(slug="oauth2")
    # Another author's invisible draft holds the plain slug: no error reveals it.
    first = ok(personas.client("outsider").post(URL, new_question()), 201)
    second = ok(personas.client("author").post(URL, new_question()), 201)
    third = ok(personas.client("author").post(URL, new_question()), 201)
    elsewhere = ok(personas.client("author").post(URL, new_question(topic="oauth2")), 201)
    assert [first["slug"], second["slug"], third["slug"], elsewhere["slug"]] == [
        "what-is-a-refresh-token",
        "what-is-a-refresh-token-2",
        "what-is-a-refresh-token-3",
        "what-is-a-refresh-token",
    ]


def test_a_slug_taken_between_check_and_insert_is_retried(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = TopicFactory(slug="jwt")
    QuestionFactory(topic=topic, slug="raced")
    real = services._free_slug
    answers = iter(["raced"])  # what a concurrent creator just took

    def racing(**kwargs: Any) -> str:
        return next(answers, None) or real(**kwargs)

    monkeypatch.setattr(services, "_free_slug", racing)
    body = ok(personas.client("author").post(URL, new_question()), 201)
    assert body["slug"] == "what-is-a-refresh-token"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"topic": "no-such-topic"}, "topic"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"prompt": "   "}, "prompt"),
        ({"difficulty": "extreme"}, "difficulty"),
        ({"tags": ["not a slug"]}, "tags.0"),
        ({"tags": [f"t{n}" for n in range(21)]}, "tags"),
        ({"tags": "auth"}, "tags"),
    ],
)
def test_create_refuses_bad_fields_by_name(
    personas: Personas, body: dict[str, Any], field: str
) -> None:
    TopicFactory(slug="jwt")
    response = personas.client("author").post(URL, new_question(**body))
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Question.objects.exists()


def test_create_requires_topic_title_and_prompt(personas: Personas) -> None:
    response = personas.client("author").post(URL, {})
    assert response.status_code == 400
    assert {"topic", "title", "prompt"} <= response.json()["errors"].keys()


# -- edit and delete ---------------------------------------------------------------------


def test_author_edits_own_draft_and_the_slug_stays(personas: Personas, bank: Bank) -> None:
    TagFactory(slug="old")
    bank.draft.tags.set([Tag.objects.get(slug="old")])
    slug = bank.draft.slug
    body = ok(
        personas.client("author").patch(
            f"{URL}{bank.draft.pk}/", {"title": "A better title", "tags": ["new"]}
        )
    )
    assert body["title"] == "A better title"
    assert body["slug"] == slug
    assert body["tags"] == ["new"]
    assert body["prompt"] == bank.draft.prompt  # untouched


def test_put_replaces_and_needs_every_required_field(personas: Personas, bank: Bank) -> None:
    client = personas.client("author")
    response = client.put(f"{URL}{bank.draft.pk}/", {"title": "Only a title"})
    assert response.status_code == 400
    assert {"topic", "prompt"} <= response.json()["errors"].keys()
    bank.draft.tags.set([TagFactory.create(slug="old")])
    Question.objects.filter(pk=bank.draft.pk).update(difficulty=Difficulty.HARD)
    body = ok(client.put(f"{URL}{bank.draft.pk}/", new_question(title="Replaced")))
    assert (body["title"], body["prompt"]) == ("Replaced", "Explain what it is for.")
    # What the new version leaves out is reset, not kept from the old one.
    assert (body["answer"], body["difficulty"], body["tags"]) == ("", "medium", [])


def test_moving_to_a_topic_with_the_same_slug_renumbers(personas: Personas, bank: Bank) -> None:
    other = TopicFactory(slug="oauth2")
    QuestionFactory(topic=other, slug=bank.draft.slug)
    body = ok(personas.client("author").patch(f"{URL}{bank.draft.pk}/", {"topic": "oauth2"}))
    assert body["topic"]["slug"] == "oauth2"
    assert body["slug"] == f"{bank.draft.slug}-2"


def test_author_cannot_edit_own_question_once_submitted(personas: Personas, bank: Bank) -> None:
    response = personas.client("author").patch(f"{URL}{bank.in_review.pk}/", {"title": "Late"})
    assert response.status_code == 409
    body = response.json()
    assert body["current_status"] == "in_review"
    assert "in review" in body["detail"]
    assert body["type"] == "/problems/conflict"


def test_moderator_edits_a_published_question_and_it_stays_published(
    personas: Personas, bank: Bank
) -> None:
    body = ok(personas.client("moderator").patch(f"{URL}{bank.published.pk}/", {"answer": "Fixed"}))
    assert (body["answer"], body["status"]) == ("Fixed", "published")


def test_delete_removes_the_draft_and_its_history(personas: Personas, bank: Bank) -> None:
    client = personas.client("author")
    ok(client.post(f"{URL}{bank.draft.pk}/submit/"))
    ok(personas.client("moderator").post(f"{URL}{bank.draft.pk}/reject/", {"reason": "No."}))
    response = client.delete(f"{URL}{bank.draft.pk}/")
    assert response.status_code == 204
    assert not Question.objects.filter(pk=bank.draft.pk).exists()
    assert not QuestionTransition.objects.exists()


# -- workflow ----------------------------------------------------------------------------


def test_full_workflow_and_its_audit_trail(personas: Personas) -> None:
    TopicFactory(slug="jwt")
    author, moderator = personas.client("author"), personas.client("moderator")
    anonymous = personas.client("anonymous")
    pk = ok(author.post(URL, new_question()), 201)["id"]
    item = f"{URL}{pk}/"

    assert ok(author.post(f"{item}submit/"))["status"] == "in_review"
    rejected = ok(moderator.post(f"{item}reject/", {"reason": "  Cite the RFC.  "}))
    assert rejected["status"] == "draft"
    ok(author.patch(item, {"answer": "RFC 6749, section 1.5."}))
    ok(author.post(f"{item}submit/"))
    assert anonymous.get(item).status_code == 404
    published = ok(moderator.post(f"{item}publish/"))
    assert published["status"] == "published"
    assert published["published_at"] is not None
    assert anonymous.get(item).status_code == 200
    unpublished = ok(moderator.post(f"{item}unpublish/", {"reason": "Outdated."}))
    assert (unpublished["status"], unpublished["published_at"]) == ("draft", None)
    assert anonymous.get(item).status_code == 404

    history = ok(moderator.get(f"{item}history/"))
    steps = [
        (t["action"], t["from_status"], t["to_status"], t["actor"]["email"], t["reason"])
        for t in history["results"]
    ]
    assert steps == [
        ("submit", "draft", "in_review", "author@example.org", ""),
        ("reject", "in_review", "draft", "moderator@example.org", "Cite the RFC."),
        ("submit", "draft", "in_review", "author@example.org", ""),
        ("publish", "in_review", "published", "moderator@example.org", ""),
        ("unpublish", "published", "draft", "moderator@example.org", "Outdated."),
    ]
    assert all(t["at"].endswith("Z") for t in history["results"])


@pytest.mark.parametrize(
    ("action", "state", "words"),
    [
        ("submit", "in_review", "is in review: only a draft can be submitted"),
        ("publish", "draft", "is a draft: only a question in review can be published"),
        ("publish", "published", "is published: only a question in review can be published"),
        ("reject", "draft", "is a draft: only a question in review can be rejected"),
        ("unpublish", "in_review", "is in review: only a published question can be unpublished"),
    ],
)
def test_invalid_transition_is_a_409_naming_the_state(
    personas: Personas, bank: Bank, action: str, state: str, words: str
) -> None:
    question = bank[state]
    before = (question.status, QuestionTransition.objects.count())
    body = {"reason": "Because."} if action == "reject" else {}
    response = personas.client("moderator").post(f"{URL}{question.pk}/{action}/", body)
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["current_status"] == state
    assert words in problem["detail"]
    question.refresh_from_db()
    assert (question.status, QuestionTransition.objects.count()) == before


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * 2001])
def test_reject_needs_a_reason(personas: Personas, bank: Bank, reason: str | None) -> None:
    body = {} if reason is None else {"reason": reason}
    response = personas.client("moderator").post(f"{URL}{bank.in_review.pk}/reject/", body)
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    bank.in_review.refresh_from_db()
    assert bank.in_review.status == QuestionStatus.IN_REVIEW
    assert not QuestionTransition.objects.exists()


def test_services_refuse_a_blank_reason_too(personas: Personas, bank: Bank) -> None:
    with pytest.raises(services.InvalidReason):
        services.question_reject(question=bank.in_review, by=personas.moderator, reason=" ")


def test_service_raises_invalid_transition_with_the_state(personas: Personas, bank: Bank) -> None:
    with pytest.raises(services.InvalidTransition) as caught:
        services.question_publish(question=bank.draft, by=personas.moderator)
    assert caught.value.current_status == "draft"
    assert caught.value.status == 409


def test_moderator_can_submit_an_imported_draft(personas: Personas) -> None:
    orphan = QuestionFactory(author=None, status=QuestionStatus.DRAFT, published_at=None)
    ok(personas.client("moderator").post(f"{URL}{orphan.pk}/submit/"))
    ok(personas.client("moderator").post(f"{URL}{orphan.pk}/publish/"))


def test_a_real_bearer_token_works_and_a_forged_one_is_401(personas: Personas, bank: Bank) -> None:
    client = APIClient()
    access = tokens_issue(user=personas.moderator).access
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    ok(client.post(f"{URL}{bank.in_review.pk}/publish/"))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access[:-4]}AAAA")
    response = client.post(f"{URL}{bank.published.pk}/unpublish/")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response


# -- history ------------------------------------------------------------------------------


def test_history_is_paginated_and_its_query_count_does_not_grow(
    personas: Personas, bank: Bank
) -> None:
    question = bank.draft
    for _ in range(3):
        services.question_submit(question=question, by=personas.author)
        services.question_reject(question=question, by=personas.moderator, reason="Again.")
    client = personas.client("moderator")
    url = f"{URL}{question.pk}/history/"
    first = ok(client.get(url, {"page_size": 4}))
    assert len(first["results"]) == 4
    second = ok(client.get(first["next"]))
    assert len(second["results"]) == 2
    assert [t["action"] for t in first["results"] + second["results"]] == ["submit", "reject"] * 3

    with CaptureQueriesContext(connection) as small:
        ok(client.get(url, {"page_size": 1}))
    with CaptureQueriesContext(connection) as large:
        ok(client.get(url, {"page_size": 6}))
    assert len(large) == len(small)


def test_history_shows_a_deleted_actor_as_null(personas: Personas, bank: Bank) -> None:
    services.question_submit(question=bank.draft, by=personas.outsider)
    personas.outsider.delete()
    [step] = ok(personas.client("admin").get(f"{URL}{bank.draft.pk}/history/"))["results"]
    assert step["actor"] is None


def test_a_question_learners_practise_cannot_be_deleted(moderator_client_and_card: Any) -> None:
    client, card = moderator_client_and_card
    response = client.delete(f"/api/v1/questions/{card.question_id}/")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "unpublish" in response.json()["detail"]
    card.refresh_from_db()  # still there, and so is its question
    assert Question.objects.filter(pk=card.question_id).exists()


@pytest.fixture
def moderator_client_and_card() -> Any:
    from rehearse.accounts.models import User
    from rehearse.accounts.roles import Role, grant_role
    from rehearse.practice.tests.factories import CardFactory

    moderator = User.objects.create_user("mod-delete@example.org", "a long passphrase 1")
    grant_role(moderator, Role.MODERATOR)
    client = APIClient()
    client.force_authenticate(moderator)
    return client, CardFactory()
