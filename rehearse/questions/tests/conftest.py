"""Personas for the question API's permission tests, and a small bank they act on.

anonymous: no credentials. learner: every account's role, nothing more. author: owns
the questions of ``bank``. outsider: an author too, who owns nothing, so every draft of
``bank`` is someone else's. moderator: publishes. admin: ``is_staff``, no other role.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role, grant_role, sync_roles
from rehearse.questions.models import Question, QuestionStatus
from rehearse.questions.tests.factories import QuestionFactory, TopicFactory

PERSONAS = ("anonymous", "learner", "author", "outsider", "moderator", "admin")


@dataclass(frozen=True)
class Personas:
    learner: User
    author: User
    outsider: User
    moderator: User
    admin: User

    def client(self, name: str) -> APIClient:
        client = APIClient()
        if name != "anonymous":
            client.force_authenticate(getattr(self, name))
        return client


def make_user(email: str, *roles: Role, **fields: object) -> User:
    user = User.objects.create_user(email, "a sufficiently long passphrase", **fields)
    for role in (Role.LEARNER, *roles):
        grant_role(user, role)
    return user


@pytest.fixture
def personas(db: None) -> Personas:
    if not Group.objects.filter(name=Role.AUTHOR).exists():
        # A transactional test before this one flushed the groups migration 0003 made.
        sync_roles()
    return Personas(
        learner=make_user("learner@example.org"),
        author=make_user("author@example.org", Role.AUTHOR),
        outsider=make_user("outsider@example.org", Role.AUTHOR),
        moderator=make_user("moderator@example.org", Role.MODERATOR),
        admin=make_user("admin@example.org", is_staff=True),
    )


@dataclass(frozen=True)
class Bank:
    """The author's questions, one in each state."""

    draft: Question
    in_review: Question
    published: Question

    def __getitem__(self, state: str) -> Question:
        question: Question = getattr(self, state)
        return question


@pytest.fixture
def bank(personas: Personas) -> Bank:
    topic = TopicFactory(slug="jwt", title="JWT")
    return Bank(
        draft=QuestionFactory.create(
            topic=topic,
            title="Draft",
            author=personas.author,
            status=QuestionStatus.DRAFT,
            published_at=None,
        ),
        in_review=QuestionFactory.create(
            topic=topic,
            title="In review",
            author=personas.author,
            status=QuestionStatus.IN_REVIEW,
            published_at=None,
        ),
        published=QuestionFactory.create(topic=topic, title="Published", author=personas.author),
    )
