"""Practice: spaced-repetition cards, their review log, and timed mock interviews.

A card is one learner's memory of one question, in the terms of the FSRS algorithm
(state, stability, difficulty, due time). Every review appends to ``ReviewLog``,
which is the history and the source of truth; ``ReviewDay`` is a per-day summary of
that log, written in the same transaction as each review, so that the progress pages
read a few hundred rows instead of a million.

Every object belongs to one learner, and every read goes through ``owned_by(user)``:
another learner's card is simply not in the queryset (a 404, never a 403).

The indexes follow the queries in ``selectors.py``; docs/practice.md shows their
EXPLAIN plans for a learner with 100,000 cards and 1,000,000 review logs.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from rehearse.practice import scheduling
from rehearse.questions.models import Question, Topic

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rehearse.accounts.models import User

MAX_REVIEW_MS = 60 * 60 * 1000


class CardState(models.IntegerChoices):
    # The values of fsrs.State, so that a card converts to and from fsrs as it is.
    LEARNING = 1, "learning"
    REVIEW = 2, "review"
    RELEARNING = 3, "relearning"


class Rating(models.IntegerChoices):
    # The values of fsrs.Rating; the API speaks the labels.
    AGAIN = 1, "again"
    HARD = 2, "hard"
    GOOD = 3, "good"
    EASY = 4, "easy"


class ReviewSource(models.TextChoices):
    QUEUE = "queue", "due queue"
    INTERVIEW = "interview", "mock interview"


class InterviewStatus(models.TextChoices):
    OPEN = "open", "open"
    FINISHED = "finished", "finished"
    EXPIRED = "expired", "expired"


class EnrolmentQuerySet(QuerySet["Enrolment"]):
    def owned_by(self, user: User | AnonymousUser) -> EnrolmentQuerySet:
        return self.filter(user_id=user.pk)  # an anonymous user (pk None) owns nothing


class Enrolment(models.Model):
    """A learner studies a topic: each practicable question of it gets a card."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolments",
        db_index=False,  # the unique (user, topic) index leads with user
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="enrolments")
    created_at = models.DateTimeField(default=timezone.now)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "topic"], name="enrolment_user_topic"),
        ]

    def __str__(self) -> str:
        return f"enrolment {self.pk}"


class CardQuerySet(QuerySet["Card"]):
    def owned_by(self, user: User | AnonymousUser) -> CardQuerySet:
        return self.filter(user_id=user.pk)  # an anonymous user (pk None) owns nothing

    def due(self, at: dt.datetime) -> CardQuerySet:
        """Cards to review at ``at``: due, not suspended, not buried past ``at``."""
        return self.filter(
            Q(buried_until__isnull=True) | Q(buried_until__lte=at),
            is_suspended=False,
            due__lte=at,
        )


class Card(models.Model):
    """One learner's memory of one question, as FSRS models it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_cards",
        db_index=False,  # every index of this table leads with user
    )
    # PROTECT: a question a learner has history with is unpublished, not deleted.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="cards")
    state = models.PositiveSmallIntegerField(choices=CardState.choices, default=CardState.LEARNING)
    step = models.PositiveSmallIntegerField(
        null=True, blank=True, default=0, help_text="Learning or relearning step; null in review."
    )
    stability = models.FloatField(
        null=True, blank=True, help_text="Days until recall drops to 90%."
    )
    difficulty = models.FloatField(null=True, blank=True, help_text="1 (easy) to 10 (hard).")
    due = models.DateTimeField(default=timezone.now)
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    is_suspended = models.BooleanField(default=False)
    buried_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CardQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            # Also what per-topic mastery reads: every card of a learner, and on
            # PostgreSQL only from the index (the included columns).
            models.UniqueConstraint(
                fields=["user", "question"],
                include=["stability", "last_review", "due", "is_suspended", "buried_until"],
                name="card_user_question",
            ),
            models.CheckConstraint(
                condition=Q(difficulty__isnull=True) | Q(difficulty__gte=1, difficulty__lte=10),
                name="card_difficulty_range",
            ),
            models.CheckConstraint(
                condition=Q(stability__isnull=True) | Q(stability__gt=0),
                name="card_stability_positive",
            ),
        ]
        indexes: ClassVar = [
            # The due queue and the 7-day forecast: a range of due times of one
            # learner, in (due, id) order, read from the index alone on PostgreSQL.
            models.Index(
                fields=["user", "due", "id"],
                include=["is_suspended", "buried_until"],
                name="card_user_due",
            ),
        ]

    def __str__(self) -> str:
        return f"card {self.pk}"

    @property
    def memory(self) -> scheduling.Memory:
        """The card as the scheduler sees it."""
        return scheduling.Memory(
            state=scheduling.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )


class ReviewLogQuerySet(QuerySet["ReviewLog"]):
    def owned_by(self, user: User | AnonymousUser) -> ReviewLogQuerySet:
        return self.filter(user_id=user.pk)  # an anonymous user (pk None) owns nothing


class ReviewLog(models.Model):
    """One review of one card, and the card's memory right after it. Never updated.

    ``user`` repeats ``card.user`` on purpose: a card never changes hands, so the copy
    cannot go stale, and it lets "this learner's reviews in time order" be one index
    range instead of a join through 100,000 cards.
    """

    card = models.ForeignKey(
        Card,
        on_delete=models.CASCADE,
        related_name="reviews",
        db_index=False,  # covered by (card, reviewed_at)
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_reviews",
        db_index=False,  # covered by (user, reviewed_at, id)
    )
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="Time taken; empty for reviews fed by an interview."
    )
    source = models.CharField(max_length=16, choices=ReviewSource.choices)
    state = models.PositiveSmallIntegerField(choices=CardState.choices)
    stability = models.FloatField()
    difficulty = models.FloatField()
    due = models.DateTimeField(help_text="When the card is due next, after this review.")

    objects = ReviewLogQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=4), name="review_rating"),
            models.CheckConstraint(
                condition=Q(duration_ms__isnull=True)
                | Q(duration_ms__gt=0, duration_ms__lte=MAX_REVIEW_MS),
                name="review_duration_range",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["user", "reviewed_at", "id"], name="review_user_time"),
            models.Index(fields=["card", "reviewed_at"], name="review_card_time"),
        ]

    def __str__(self) -> str:
        return f"review {self.pk}"


class ReviewDay(models.Model):
    """How many reviews of each rating a learner did on one day of their own calendar.

    Derived from ``ReviewLog`` (``services.review_days_rebuild`` recomputes it with
    one GROUP BY) and kept in step with it by the review transaction itself.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_days",
        db_index=False,  # the unique (user, day) index leads with user
    )
    day = models.DateField(help_text="The learner's local date.")
    again = models.PositiveIntegerField(default=0)
    hard = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)
    easy = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "day"], name="review_day_user_day"),
        ]

    def __str__(self) -> str:
        return f"reviews of {self.day}"


class InterviewQuerySet(QuerySet["Interview"]):
    def owned_by(self, user: User | AnonymousUser) -> InterviewQuerySet:
        return self.filter(user_id=user.pk)  # an anonymous user (pk None) owns nothing


class Interview(models.Model):
    """A timed mock interview: N questions drawn from chosen topics and difficulties."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="interviews",
        db_index=False,  # covered by (user, started_at, id)
    )
    topics = models.ManyToManyField(Topic, related_name="+")
    difficulties = models.JSONField(help_text="The difficulties drawn from, e.g. [1, 2].")
    status = models.CharField(
        max_length=16, choices=InterviewStatus.choices, default=InterviewStatus.OPEN
    )
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(
        null=True, blank=True, help_text="Percent of the best possible self-grades, once closed."
    )

    objects = InterviewQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            # One interview at a time, enforced by the database: two concurrent
            # "start" requests cannot both succeed.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status=InterviewStatus.OPEN),
                name="interview_one_open_per_user",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("started_at")), name="interview_deadline"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="interview_score_range",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["user", "started_at", "id"], name="interview_user_started"),
        ]

    def __str__(self) -> str:
        return f"interview {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == InterviewStatus.OPEN


class InterviewItem(models.Model):
    """One question of an interview, the learner's answer and their self-grade."""

    interview = models.ForeignKey(
        Interview,
        on_delete=models.CASCADE,
        related_name="items",
        db_index=False,  # covered by the unique (interview, position) index
    )
    position = models.PositiveSmallIntegerField()
    # PROTECT: the learner's written answer must not vanish with the question.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(blank=True)
    self_grade = models.PositiveSmallIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("position",)
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["interview", "position"], name="interview_item_position"
            ),
            models.CheckConstraint(
                condition=Q(self_grade__isnull=True) | Q(self_grade__lte=3),
                name="interview_item_self_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"interview {self.interview_id} #{self.position}"
