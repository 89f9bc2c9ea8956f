"""The question bank, in third normal form.

A topic's title lives only on the topic, a tag's name only on the tag, and the file a
question came from only on its source: every non-key column depends on the key, the
whole key and nothing but the key. The natural key of a question is (topic slug,
question slug), which is what makes imports idempotent.

The indexes follow the API: every list query is "the published questions [of a
topic | of a difficulty] in some order", so each index leads with the filter columns
and ends with the ordering columns plus the primary key the keyset paginator uses as
a tie-breaker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rehearse.accounts.models import User

    Viewer = User | AnonymousUser | None


class Difficulty(models.IntegerChoices):
    # Stored as numbers so that ordering by difficulty means easy < medium < hard.
    EASY = 1, "easy"
    MEDIUM = 2, "medium"
    HARD = 3, "hard"


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    IN_REVIEW = "in_review", "in review"
    PUBLISHED = "published", "published"


class Source(models.Model):
    """A document questions were imported from, and the digest of its last import."""

    name = models.CharField(max_length=255, unique=True)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the text last imported.")
    imported_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ("slug",)

    def __str__(self) -> str:
        return self.slug


def question_visibility(user: Viewer, prefix: str = "") -> Q:
    """The one rule for who may see which question; every read goes through it.

    Everyone sees the published bank; authors also see their own questions in any
    state; moderators and admins see everything. ``prefix`` applies the rule across
    a relation (``questions__`` from a topic).
    """
    published = Q(**{f"{prefix}status": QuestionStatus.PUBLISHED})
    if user is None or not user.is_authenticated:
        return published
    if user.is_staff or user.has_perm("questions.moderate_question"):
        return Q()
    return published | Q(**{f"{prefix}author": user})


class QuestionQuerySet(QuerySet["Question"]):
    def published(self) -> QuestionQuerySet:
        return self.filter(status=QuestionStatus.PUBLISHED)

    def visible_to(self, user: Viewer) -> QuestionQuerySet:
        return self.filter(question_visibility(user))


class Question(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    prompt = models.TextField()
    answer = models.TextField(blank=True, help_text="Markdown. Empty while unanswered.")
    difficulty = models.PositiveSmallIntegerField(
        choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    status = models.CharField(
        max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    tags = models.ManyToManyField(Tag, related_name="questions", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["topic", "slug"], name="question_natural_key"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "-created_at", "-id"], name="question_status_created"),
            models.Index(
                fields=["topic", "status", "-created_at", "-id"], name="question_topic_created"
            ),
            models.Index(
                fields=["status", "difficulty", "-created_at", "-id"],
                name="question_difficulty_created",
            ),
            models.Index(fields=["status", "title", "id"], name="question_status_title"),
            models.Index(fields=["author", "status"], name="question_author_status"),
        ]
        permissions: ClassVar = [
            ("moderate_question", "Can publish, reject and unpublish any question"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_answered(self) -> bool:
        return bool(self.answer.strip())


class QuestionTransition(models.Model):
    """The audit trail of the authoring workflow: who moved which question, when, why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "submit for review"
        PUBLISH = "publish", "publish"
        REJECT = "reject", "reject"
        UNPUBLISH = "unpublish", "unpublish"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="question_transitions",
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, choices=QuestionStatus.choices)
    to_status = models.CharField(max_length=16, choices=QuestionStatus.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "id")
        indexes: ClassVar = [models.Index(fields=["question", "at"], name="transition_question_at")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.from_status} -> {self.to_status} ({self.action})"
