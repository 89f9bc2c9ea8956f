"""Grading a kata submission: static checks on the host, tests in the sandbox, verdicts.

``grade`` refuses oversized code, parses the source (a syntax error is an ``error``
verdict; nothing runs), then sends the sandbox the code, the function's name and the
tests' *inputs* only. Expected values stay in this process: the sandbox reports what the
function returned, and the comparison happens here, type-strictly (``True`` is not
``1``, ``120.0`` is not ``120``; tuples and lists are both sequences). A submission can
therefore only pass a test by returning the right value; everything else it might do
(print fake results, write to other fds, exit early, hang, crash) ends as a failure of
the test it was on.

Overall verdict: the verdict of the first test that did not pass; if all passed,
``not_recursive`` when the source has no call cycle through the function or the function
did not recurse on every deep test (see ``rehearse.katas.catalog.Case.deep``), else
``passed``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rehearse.katas.grader.limits import KIB, Limits
from rehearse.katas.grader.result import GradeResult, TestResult, Verdict
from rehearse.katas.grader.sandbox import (
    RUNNER_SOURCE,
    SandboxConfig,
    SandboxRun,
    run_supervisor,
)
from rehearse.katas.grader.static import check_source

if TYPE_CHECKING:
    from rehearse.katas.catalog import Case, Kata

SHOWN_CHARS = 300
MAX_VALUE_DEPTH = 40
_STATUS_VERDICTS = {
    "raised": Verdict.ERROR,
    "memory": Verdict.MEMORY,
    "timeout": Verdict.TIMEOUT,
    "not_run": Verdict.TIMEOUT,
    "crashed": Verdict.ERROR,
    "output_limit": Verdict.ERROR,
    "protocol": Verdict.ERROR,
    "load_error": Verdict.ERROR,
}


@dataclass(frozen=True)
class _Foreign:
    """A returned object of a type no test expects, by its type's name."""

    type_name: str


def plain(value: Any) -> Any:
    """``value`` with tuples turned into lists, as it looks after a trip through JSON."""
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def build_job(code: str, kata: Kata) -> dict[str, Any]:
    """The job the sandbox receives: the code, the function's name, the inputs. No answers."""
    return {
        "mode": "grade",
        "runner": RUNNER_SOURCE,
        "code": code,
        "function": kata.function_name,
        "tests": [plain(list(case.args)) for case in kata.tests],
    }


def _decode(data: Any, depth: int = 0) -> Any:
    """A value as the runner encoded it; ``ValueError`` for anything it would not send."""
    if data is None or isinstance(data, bool | str):
        return data
    if isinstance(data, list) and depth < MAX_VALUE_DEPTH:
        return [_decode(item, depth + 1) for item in data]
    if isinstance(data, dict) and len(data) == 1:
        ((tag, text),) = data.items()
        if isinstance(text, str):
            if tag == "int":
                return int(text, 16)  # hex: not subject to the 4,300-digit str limit
            if tag == "float":
                return float(text)
            if tag == "type":
                return _Foreign(text)
    raise ValueError("not a value the runner encodes")


def _same(expected: Any, got: Any) -> bool:
    if type(expected) is not type(got):
        return False
    if isinstance(expected, list):
        return len(expected) == len(got) and all(map(_same, expected, got))
    return bool(expected == got)


def show(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A repr of ``value`` cut to about ``limit`` characters, safe for huge ints and lists."""
    if isinstance(value, _Foreign):
        return f"<an object of type {value.type_name}>"
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 3 * limit:
            digits = math.floor(value.bit_length() * math.log10(2)) + 1
            return f"<an integer of about {digits:,} digits, ending ...{abs(value) % 10**12:012d}>"
        text = repr(value)
    elif isinstance(value, str):
        text = repr(value[:limit])
        if len(value) > limit:
            return f"{text[:-1]}...{text[-1]} ({len(value):,} characters)"
    elif isinstance(value, list | tuple):
        shown: list[str] = []
        used = 0
        for item in value:
            if used > limit:
                break
            part = show(item, limit - used)
            shown.append(part)
            used += len(part) + 2
        inner = ", ".join(shown)
        if len(shown) < len(value):
            return f"[{inner}, ...] ({len(value):,} items)"
        text = f"[{inner}]" if isinstance(value, list) else f"({inner}{',' * (len(value) == 1)})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _call_text(kata: Kata, case: Case) -> str:
    return f"{kata.function_name}({', '.join(show(arg, 120) for arg in case.args)})"


def _test_result(
    index: int, kata: Kata, case: Case, frame: dict[str, Any] | None, run: SandboxRun
) -> TestResult:
    hidden = index >= len(kata.examples)
    number = index - len(kata.examples) + 1 if hidden else index + 1
    name = f"{'hidden' if hidden else 'example'} {number}" + (
        f": {case.label}" if case.label else ""
    )
    shown: dict[str, Any] = (
        {} if hidden else {"arguments": _call_text(kata, case), "expected": show(case.expected)}
    )
    if frame is None:
        if run.killed:
            verdict, detail = Verdict.TIMEOUT, f"not finished: {run.reason}"
        else:
            verdict, detail = Verdict.ERROR, "the sandbox reported no result for this test"
        return TestResult(index, name, hidden, verdict, detail, **shown)
    elapsed = frame.get("elapsed")
    elapsed = float(elapsed) if isinstance(elapsed, int | float) else None
    recursed = frame.get("recursed") if isinstance(frame.get("recursed"), bool) else None
    status = frame.get("status")
    common: dict[str, Any] = {"elapsed_seconds": elapsed, "recursed": recursed, **shown}
    if status != "ok":
        error = frame.get("error")
        detail = error if isinstance(error, str) and error else str(status)
        verdict = _STATUS_VERDICTS.get(str(status), Verdict.ERROR)
        return TestResult(index, name, hidden, verdict, detail, **common)
    try:
        got = _decode(frame.get("value"))
    except (ValueError, RecursionError):
        return TestResult(
            index, name, hidden, Verdict.ERROR, "the returned value could not be read", **common
        )
    if not hidden:
        common["got"] = show(got)
    if not _same(plain(case.expected), got):
        detail = "wrong answer" if hidden else f"expected {common['expected']}, got {common['got']}"
        return TestResult(index, name, hidden, Verdict.FAILED, detail, **common)
    if case.deep and recursed is False:
        return TestResult(
            index,
            name,
            hidden,
            Verdict.NOT_RECURSIVE,
            "right answer, but the function did not call itself on this input",
            **common,
        )
    return TestResult(index, name, hidden, Verdict.PASSED, "passed", **common)


def _stream_cap(kata: Kata, limits: Limits) -> int:
    return (len(kata.tests) + 2) * (limits.result_bytes + 64 * KIB) + 8 * limits.output_bytes


def grade(
    code: str,
    kata: Kata,
    *,
    limits: Limits | None = None,
    sandbox: SandboxConfig | None = None,
) -> GradeResult:
    """Grade ``code`` as a solution of ``kata``; raises ``SandboxUnavailable`` if it cannot run.

    ``limits`` defaults to the kata's own; ``sandbox`` to ``SandboxConfig()``.
    """
    started = time.monotonic()
    limits = limits or kata.limits
    size = len(code.encode("utf-8", "surrogatepass"))
    if size > limits.code_bytes:
        return GradeResult(
            Verdict.REFUSED,
            f"the code is {size:,} bytes; the limit is {limits.code_bytes:,}",
            tests=(),
        )
    try:
        source = check_source(code, kata.function_name)
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        return GradeResult(
            Verdict.ERROR, f"SyntaxError: {exc.msg}{where}", tests=(), recursive_in_source=None
        )
    if not source.defines_function:
        return GradeResult(
            Verdict.ERROR,
            f"define a function named {kata.function_name} at the top level: {kata.signature}",
            tests=(),
            recursive_in_source=False,
        )

    run = run_supervisor(
        build_job(code, kata),
        limits=limits,
        config=sandbox or SandboxConfig(),
        stream_cap=_stream_cap(kata, limits),
    )
    frames: dict[int, dict[str, Any]] = {}
    done: dict[str, Any] = {}
    for frame in run.frames:
        index = frame.get("i")
        if frame.get("t") == "test" and isinstance(index, int) and index not in frames:
            frames[index] = frame
        elif frame.get("t") == "done":
            done = frame
    tests = tuple(
        _test_result(index, kata, case, frames.get(index), run)
        for index, case in enumerate(kata.tests)
    )
    output = done.get("output")
    deep = [test for test, case in zip(tests, kata.tests, strict=True) if case.deep]
    runtime_recursive = all(test.recursed for test in deep) if deep else None
    common: dict[str, Any] = {
        "tests": tests,
        "output": output if isinstance(output, str) else "",
        "output_truncated": done.get("output_truncated") is True,
        "recursive_in_source": source.recursive,
        "recursive_at_runtime": runtime_recursive,
        "elapsed_seconds": time.monotonic() - started,
    }
    if run.tampered:
        return GradeResult(
            Verdict.ERROR, "the sandbox's report was tampered with; nothing is trusted", **common
        )
    failing = next(
        (t for t in tests if t.verdict not in (Verdict.PASSED, Verdict.NOT_RECURSIVE)), None
    )
    if failing is not None:
        return GradeResult(failing.verdict, f"{failing.name}: {failing.detail}", **common)
    if not source.recursive:
        return GradeResult(
            Verdict.NOT_RECURSIVE,
            f"every test passed, but {kata.function_name} never calls itself, directly or "
            "through a helper you define",
            **common,
        )
    if any(t.verdict is Verdict.NOT_RECURSIVE for t in tests):
        return GradeResult(
            Verdict.NOT_RECURSIVE,
            f"every test passed, but {kata.function_name} did not recurse on the deep tests",
            **common,
        )
    return GradeResult(Verdict.PASSED, f"all {len(tests)} tests passed", **common)
