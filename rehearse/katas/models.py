"""Kata submissions: the code a learner sent, and the verdict the sandbox gave it.

The katas themselves are code, not rows (``rehearse.katas.catalog``): a submission names
its kata by slug. Every submission belongs to one learner and every read goes through
``owned_by(user)``, so another learner's submission is simply not there (a 404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from rehearse.katas.catalog import KATAS
from rehearse.katas.grader import Verdict

if TYPE_CHECKING:
    from rehearse.accounts.models import User

KATA_CHOICES = [(slug, kata.title) for slug, kata in KATAS.items()]
VERDICT_CHOICES = [(verdict.value, verdict.value) for verdict in Verdict]


class SubmissionQuerySet(QuerySet["Submission"]):
    def owned_by(self, user: User) -> SubmissionQuerySet:
        return self.filter(user=user)


class Submission(models.Model):
    """One graded attempt at a kata."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="kata_submissions",
        db_index=False,  # the index below leads with user
    )
    kata = models.CharField(max_length=40, choices=KATA_CHOICES)
    code = models.TextField()
    verdict = models.CharField(max_length=16, choices=VERDICT_CHOICES)
    message = models.TextField(blank=True, help_text="Why the submission got its verdict.")
    results = models.JSONField(default=list, blank=True, help_text="One object per test.")
    output = models.TextField(blank=True, help_text="What the code printed, cut at the cap.")
    output_truncated = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(help_text="Wall-clock time grading took.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        indexes: ClassVar = [
            # "My submissions for this kata, newest first", and its keyset pages.
            models.Index(
                fields=["user", "kata", "-created_at", "-id"], name="katas_submission_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"submission {self.pk} ({self.kata}: {self.verdict})"
