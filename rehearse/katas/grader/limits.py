"""The resource limits a submission is graded under.

A ``Limits`` value travels with each kata (``rehearse.katas.catalog``) and can be
overridden per call to ``grade``. The grader turns it into rlimits of the process that
runs the submitted code, per-test and whole-run wall-clock deadlines, and caps on what it
reads back.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    """Limits for grading one submission. Times are seconds, sizes bytes."""

    # Wall-clock time one test may take (also the budget for loading the module).
    test_seconds: float = 2.0
    # Wall-clock time for the whole run inside the sandbox; tests not reached by then
    # are reported as timed out. The host kills the sandbox a little after this.
    run_seconds: float = 10.0
    # RLIMIT_CPU of the process running the submission: a backstop for the clocks above.
    cpu_seconds: int = 10
    # RLIMIT_AS (virtual address space) of the process running the submission.
    memory_bytes: int = 512 * MIB
    # RLIMIT_STACK: deep recursion through C code (e.g. functools.lru_cache) needs it.
    stack_bytes: int = 64 * MIB
    # Python's recursion limit while the submission runs.
    recursion_limit: int = 1000
    # Everything the submission prints (stdout and stderr together) that is kept;
    # printing more ends the test that did it.
    output_bytes: int = 64 * KIB
    # One test's return value, encoded.
    result_bytes: int = 2 * MIB
    # RLIMIT_FSIZE, and the size of the private /tmp.
    file_bytes: int = 1 * MIB
    # RLIMIT_NOFILE of the process running the submission.
    open_files: int = 16
    # Longer source code is refused without running it.
    code_bytes: int = 20_000

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if value <= 0:
                raise ValueError(f"Limits.{field.name} must be positive, got {value!r}")
        if self.test_seconds > self.run_seconds:
            raise ValueError("Limits.test_seconds cannot exceed Limits.run_seconds")
