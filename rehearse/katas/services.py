"""Writes: grading a submission in the sandbox and storing it with its verdict.

Grading happens synchronously in the request, but only inside a host-wide grading slot
(``rehearse.katas.slots``): with every slot taken the submission is refused at once
(503, ``Retry-After``) and nothing is stored. No database transaction is open while the
sandbox runs; the submission and its verdict are written in one transaction afterwards.
If the sandbox cannot run, grading is refused (503): code is never run outside it.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from rehearse.core.exceptions import DependencyUnavailable
from rehearse.core.problems import ProblemType
from rehearse.katas import slots
from rehearse.katas.grader import GradeResult, SandboxConfig, SandboxUnavailable, grade
from rehearse.katas.models import Submission

if TYPE_CHECKING:
    from rehearse.accounts.models import User
    from rehearse.katas.catalog import Kata

logger = logging.getLogger(__name__)

# Most submissions are graded in well under a second; a client told to come back in two
# seconds usually finds a slot free.
BUSY_RETRY_AFTER_SECONDS = 2
# Fields of a hidden test's result that would reveal its input or its answer. The grader
# already leaves them empty; they are dropped again here so they can never be stored.
HIDDEN_TEST_FIELDS = ("arguments", "expected", "got")

GRADER_BUSY = ProblemType("grader-busy", "Every grading slot is busy.")
SANDBOX_UNAVAILABLE = ProblemType("sandbox-unavailable", "Submissions cannot be graded now.")


class GraderBusy(DependencyUnavailable):
    """As many submissions as the host allows are being graded: try again shortly."""

    problem_type = GRADER_BUSY


class SandboxDown(DependencyUnavailable):
    """The grading sandbox cannot run on this host (bubblewrap missing or failing)."""

    problem_type = SANDBOX_UNAVAILABLE


def storable_text(text: str) -> str:
    """``text`` as a database and a JSON response can hold it.

    What submitted code prints, raises or returns may contain NUL characters (which
    PostgreSQL refuses in text and jsonb) and lone surrogates (which are not UTF-8 at
    all); both are written as backslash escapes instead.
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _storable(value: Any) -> Any:
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    return value


def _test_results(result: GradeResult) -> list[dict[str, Any]]:
    rows = []
    for test in result.tests:
        row = dataclasses.asdict(test)
        row["verdict"] = test.verdict.value
        if test.hidden:
            for name in HIDDEN_TEST_FIELDS:
                row[name] = None
        rows.append(_storable(row))
    return rows


def _sandbox() -> SandboxConfig:
    return SandboxConfig(bwrap=settings.GRADER_BWRAP)


def submission_create(*, user: User, kata: Kata, code: str) -> Submission:
    """Grade ``code`` as the learner's solution of ``kata`` and store it with its verdict.

    Raises ``GraderBusy`` when no grading slot is free and ``SandboxDown`` when the sandbox
    cannot run; in both cases nothing is stored.
    """
    try:
        slot = slots.configured_slot()
    except slots.NoFreeSlot as exc:
        raise GraderBusy(
            f"{exc}; try again in a few seconds.",
            headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
        ) from exc
    started = time.monotonic()
    with slot:
        try:
            result = grade(code, kata, sandbox=_sandbox())
        except SandboxUnavailable as exc:
            logger.error("katas: grading refused, the sandbox is unavailable: %s", exc)
            raise SandboxDown(
                "The grading sandbox is not available on this server, so submissions cannot "
                "be graded; code is never run outside it."
            ) from exc
    duration_ms = round((time.monotonic() - started) * 1000)
    return _submission_store(
        user=user, kata=kata, code=code, result=result, duration_ms=duration_ms
    )


@transaction.atomic
def _submission_store(
    *, user: User, kata: Kata, code: str, result: GradeResult, duration_ms: int
) -> Submission:
    submission = Submission(
        user=user,
        kata=kata.slug,
        code=code,
        verdict=result.verdict.value,
        message=storable_text(result.message),
        results=_test_results(result),
        output=storable_text(result.output),
        output_truncated=result.output_truncated,
        duration_ms=duration_ms,
    )
    submission.full_clean(exclude=["user"])  # the signed-in user: no need to look it up
    submission.save()
    return submission
