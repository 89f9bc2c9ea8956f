"""Fixtures of the page tests: a small published bank and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from rehearse.accounts.models import User
from rehearse.questions.models import Difficulty, Question, QuestionStatus, Topic


@pytest.fixture
def learner(make_user: Callable[..., User]) -> User:
    return make_user("learner@example.org")


@pytest.fixture
def learner_client(learner: User) -> Client:
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def recursion(db: None) -> Topic:
    """The Recursion topic with four published questions (one per difficulty, plus one)."""
    topic = Topic.objects.create(slug="recursion", title="Recursion")
    for number, difficulty in enumerate(
        [Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD, Difficulty.MEDIUM], start=1
    ):
        Question.objects.create(
            topic=topic,
            slug=f"question-{number}",
            title=f"Recursion question {number}",
            prompt=f"Explain recursion, part {number}.",
            answer=f"Itself, part {number}.\n\n```python\ndef f(n):\n    return n\n```",
            difficulty=difficulty,
            status=QuestionStatus.PUBLISHED,
            published_at=timezone.now(),
        )
    return topic
