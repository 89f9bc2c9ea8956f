"""Reads: the kata catalog, what a reference implementation returns, a learner's submissions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q

from rehearse.core import problems
from rehearse.core.exceptions import DomainError
from rehearse.katas.catalog import KATAS, Kata, KataInputError
from rehearse.katas.grader import Verdict
from rehearse.katas.models import Submission, SubmissionQuerySet

if TYPE_CHECKING:
    from rehearse.accounts.models import User

# What a submission list shows: the code, the per-test results and the output are only
# read for one submission at a time.
SUMMARY_FIELDS = ("id", "kata", "verdict", "message", "duration_ms", "created_at")


class KataNotFound(DomainError):
    status = 404
    problem_type = problems.NOT_FOUND


class KataArgumentsInvalid(DomainError):
    """Arguments the kata's reference refuses: wrong arity or types, or over a cap."""

    status = 400
    problem_type = problems.VALIDATION


def kata_list() -> list[Kata]:
    return list(KATAS.values())


def kata_get(*, slug: str) -> Kata:
    kata = KATAS.get(slug)
    if kata is None:
        raise KataNotFound(f"There is no kata {slug!r}; the katas are {', '.join(KATAS)}.")
    return kata


def kata_reference_result(*, kata: Kata, args: list[Any]) -> Any:
    """What the kata's reference returns for ``args``, after its input validator.

    Inputs over a cap (a 13-disk Hanoi, F(10,001)) are refused before any computation,
    with a message that names the cap.
    """
    try:
        return kata.run_reference(*args)
    except KataInputError as exc:
        raise KataArgumentsInvalid(str(exc), errors={"args": [str(exc)]}) from exc


def submission_list(*, user: User, kata: Kata) -> SubmissionQuerySet:
    """The learner's own submissions for ``kata``, newest first, without the heavy columns."""
    return (
        Submission.objects.owned_by(user)
        .filter(kata=kata.slug)
        .only(*SUMMARY_FIELDS)
        .order_by("-created_at", "-id")
    )


def submission_detail(*, user: User, kata: Kata) -> SubmissionQuerySet:
    """The learner's own submissions for ``kata``, every column."""
    return Submission.objects.owned_by(user).filter(kata=kata.slug)


@dataclass(frozen=True)
class KataStanding:
    """Where a learner stands on one kata: their latest submission, and whether any passed."""

    last: Submission
    solved: bool


def kata_standings(*, user: User) -> dict[str, KataStanding]:
    """The learner's standing on every kata they tried, by slug, in two queries.

    Submission ids grow with time (one sequence), so the highest id is the latest.
    """
    per_kata = (
        Submission.objects.owned_by(user)
        .values("kata")
        .annotate(last_id=Max("id"), passed=Count("id", filter=Q(verdict=Verdict.PASSED)))
    )
    solved = {row["last_id"]: row["passed"] > 0 for row in per_kata}
    latest = Submission.objects.filter(id__in=list(solved)).only(*SUMMARY_FIELDS)
    return {sub.kata: KataStanding(last=sub, solved=solved[sub.pk]) for sub in latest}
