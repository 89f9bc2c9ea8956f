"""The sandboxed grader for recursion katas.

``grade(code, kata)`` runs a submission's tests in a bubblewrap sandbox and returns a
``GradeResult``; ``sandbox_available()`` says whether that can work on this machine, and
``SandboxUnavailable`` is raised instead of ever running code unsandboxed. The design
(what runs where, and why a submission cannot influence its verdict except by returning
right answers) is in ``docs/katas.md``.
"""

from rehearse.katas.grader.grading import grade
from rehearse.katas.grader.limits import Limits
from rehearse.katas.grader.result import GradeResult, TestResult, Verdict
from rehearse.katas.grader.sandbox import SandboxConfig, SandboxUnavailable, sandbox_available

__all__ = [
    "GradeResult",
    "Limits",
    "SandboxConfig",
    "SandboxUnavailable",
    "TestResult",
    "Verdict",
    "grade",
    "sandbox_available",
]
