"""factory_boy factories for practice: learners, cards, reviews and interviews."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from rehearse.accounts.models import User
from rehearse.practice.models import (
    Card,
    CardState,
    Interview,
    InterviewItem,
    InterviewStatus,
    Rating,
    ReviewLog,
    ReviewSource,
)
from rehearse.questions.tests.factories import QuestionFactory


class LearnerFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"learner{n}@example.org")
    time_zone = "UTC"
    daily_review_limit = 50

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return User.objects.create_user(password="correct-horse-battery", **kwargs)


class CardFactory(factory.django.DjangoModelFactory[Card]):
    """A new card, due now."""

    class Meta:
        model = Card

    user = factory.SubFactory(LearnerFactory)
    question = factory.SubFactory(QuestionFactory)
    due = factory.LazyAttribute(lambda _: timezone.now())


class ReviewedCardFactory(CardFactory):
    """A card in review, last seen ``days_ago`` days ago with the given stability."""

    class Params:
        days_ago = 3

    state = CardState.REVIEW
    step = None
    stability = 10.0
    difficulty = 5.0
    reps = 3
    last_review = factory.LazyAttribute(lambda c: timezone.now() - dt.timedelta(days=c.days_ago))
    due = factory.LazyAttribute(lambda c: c.last_review + dt.timedelta(days=c.stability))


class ReviewLogFactory(factory.django.DjangoModelFactory[ReviewLog]):
    class Meta:
        model = ReviewLog

    card = factory.SubFactory(ReviewedCardFactory)
    user = factory.SelfAttribute("card.user")
    rating = Rating.GOOD
    reviewed_at = factory.LazyFunction(timezone.now)
    duration_ms = 5000
    source = ReviewSource.QUEUE
    state = CardState.REVIEW
    stability = 10.0
    difficulty = 5.0
    due = factory.LazyAttribute(lambda log: log.reviewed_at + dt.timedelta(days=10))


class InterviewFactory(factory.django.DjangoModelFactory[Interview]):
    """A closed interview (history); pass status=OPEN for one in progress."""

    class Meta:
        model = Interview
        skip_postgeneration_save = True

    user = factory.SubFactory(LearnerFactory)
    difficulties = [1, 2, 3]
    status = InterviewStatus.FINISHED
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    deadline = factory.LazyAttribute(lambda i: i.started_at + dt.timedelta(minutes=15))
    closed_at = factory.LazyAttribute(
        lambda i: (
            None if i.status == InterviewStatus.OPEN else i.started_at + dt.timedelta(minutes=10)
        )
    )
    score = factory.LazyAttribute(lambda i: None if i.status == InterviewStatus.OPEN else 50.0)

    @factory.post_generation
    def questions(self, create: bool, extracted: list[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            InterviewItem.objects.bulk_create(
                InterviewItem(interview=self, position=position, question=question)  # type: ignore[misc]
                for position, question in enumerate(extracted, start=1)
            )
