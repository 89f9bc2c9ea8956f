"""What grading a submission returns: an overall verdict and one result per test."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """The outcome of a submission as a whole, or of one of its tests."""

    PASSED = "passed"
    FAILED = "failed"  # a wrong answer
    ERROR = "error"  # an exception, a crash, a syntax error, a tampered result
    TIMEOUT = "timeout"
    MEMORY = "memory"
    NOT_RECURSIVE = "not_recursive"  # right answers, but the function never recursed
    REFUSED = "refused"  # not run at all (e.g. the code is too large)


@dataclass(frozen=True)
class TestResult:
    """One test of a submission.

    For hidden tests, ``arguments``, ``expected`` and ``got`` are always None: a learner
    sees that a hidden test failed and how, not what it was.
    """

    __test__ = False  # not a pytest test class, despite the name

    index: int
    name: str
    hidden: bool
    verdict: Verdict
    detail: str
    arguments: str | None = None
    expected: str | None = None
    got: str | None = None
    elapsed_seconds: float | None = None
    # Whether a function of the submission was re-entered during this test; None if the
    # test did not run to completion.
    recursed: bool | None = None


@dataclass(frozen=True)
class GradeResult:
    """A graded submission."""

    verdict: Verdict
    message: str
    tests: tuple[TestResult, ...]
    # What the submission printed (stdout and stderr), cut at ``Limits.output_bytes``.
    output: str = ""
    output_truncated: bool = False
    # Whether the source has a call cycle through the function (None if not parsed).
    recursive_in_source: bool | None = None
    # Whether the function recursed at run time on every deep test (None if not run).
    recursive_at_runtime: bool | None = None
    elapsed_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED
