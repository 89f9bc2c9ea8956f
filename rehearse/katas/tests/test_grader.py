"""The sandboxed grader, against the real bubblewrap: verdicts, containment, tampering.

Nothing here is mocked. If bubblewrap cannot run on this machine, every sandbox test
fails loudly (the ``sandbox`` fixture), except the ones that point the grader at a
missing bwrap on purpose to check that it refuses to grade.

Hostile submissions are checked twice. Through ``grade``, where the in-process guards
and the sandbox both stand in the way: the verdict must be a failure, the attack must not
have happened on the host, and a correct submission right after must pass. And through
``run_script``, which runs the same attack in the same sandbox with the same rlimits but
without the in-process guard, to show that the kernel-level containment holds alone.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import secrets
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rehearse.katas.catalog import KATAS, Kata
from rehearse.katas.grader import (
    GradeResult,
    Limits,
    SandboxConfig,
    SandboxUnavailable,
    Verdict,
    grade,
    sandbox_available,
)
from rehearse.katas.grader.grading import build_job, plain
from rehearse.katas.grader.sandbox import SANDBOX_UID, run_script, sandbox_command
from rehearse.katas.grader.static import check_source

REPO = Path(__file__).resolve().parents[3]
SETTINGS_FILE = REPO / "config" / "settings" / "base.py"
FACTORIAL = KATAS["factorial"]
# Fewer tests, so that a hostile submission (which fails every test, often by being
# killed and restarted) is graded quickly; the deep case stays.
SMALL_FACTORIAL = dataclasses.replace(
    FACTORIAL, hidden_tests=(FACTORIAL.hidden_tests[1], FACTORIAL.hidden_tests[-1])
)
HOSTILE_LIMITS = Limits(test_seconds=1.0, run_seconds=3.0, recursion_limit=3_000)
# How a determined submission reaches the posix module (os.write, os.kill, os._exit...)
# although "import os" is refused: through the globals of importlib's classes.
FIND_POSIX = """
def _posix():
    for cls in object.__subclasses__():
        for value in list(vars(cls).values()):
            function = getattr(value, "__func__", value)
            namespace = getattr(function, "__globals__", None)
            if isinstance(namespace, dict) and "_os" in namespace:
                return namespace["_os"]
    raise LookupError("no posix module in reach")
"""
RECURSIVE_TAIL = "    return 1 if n < 2 else n * factorial(n - 1)\n"
# The same through a helper, so that only the test whose input is n runs the code above.
HELPER_TAIL = (
    "    return _product(n)\ndef _product(n):\n    return 1 if n < 2 else n * _product(n - 1)\n"
)


def assert_host_healthy() -> None:
    """The next, correct, submission is graded normally."""
    result = grade(FACTORIAL.solution, FACTORIAL)
    assert result.verdict is Verdict.PASSED, result.message


def grade_hostile(code: str, kata: Kata = SMALL_FACTORIAL) -> GradeResult:
    result = grade(code, kata, limits=HOSTILE_LIMITS)
    assert result.verdict not in (Verdict.PASSED, Verdict.NOT_RECURSIVE), result.message
    assert all(test.verdict is not Verdict.PASSED for test in result.tests)
    return result


def everything_reported(result: GradeResult) -> str:
    """All text a learner would see, to check that nothing secret leaked into it."""
    return json.dumps(dataclasses.asdict(result), default=str)


def descendants() -> list[int]:
    """PIDs of live processes descending from this one (a sandbox left behind shows here)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [os.getpid()]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def probe(script: str, **limits: Any) -> dict[str, Any]:
    """Run ``script`` raw in the sandbox; it prints one JSON object, returned here."""
    report = run_script(script, limits=Limits(**limits) if limits else None)
    assert report["output_truncated"] is False
    lines = report["output"].strip().splitlines()
    assert lines, report
    findings: dict[str, Any] = json.loads(lines[-1])
    findings["_report"] = report
    return findings


def json_of(value: Any) -> str:
    """JSON text of ``value``, even for integers over Python's 4,300-digit str limit."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return json.dumps(value)
    finally:
        sys.set_int_max_str_digits(old)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP server on the host's loopback that the sandbox must not be able to reach."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    yield server
    server.close()


def assert_nobody_connected(server: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        server.accept()


# --- correct, wrong and broken submissions ---------------------------------------------


@pytest.mark.parametrize("kata", KATAS.values(), ids=list(KATAS))
def test_model_solutions_of_every_kata_pass(sandbox: None, kata: Kata) -> None:
    result = grade(kata.solution, kata)
    assert result.verdict is Verdict.PASSED, result.message
    assert result.recursive_in_source is True
    assert result.recursive_at_runtime is True
    assert all(test.verdict is Verdict.PASSED for test in result.tests)
    assert len(result.tests) == len(kata.tests)


def test_recursion_through_a_nested_helper_passes(sandbox: None) -> None:
    code = (
        "def reverse_string(s):\n"
        "    def go(lo, hi):\n"
        "        if hi - lo <= 1:\n"
        "            return s[lo:hi]\n"
        "        mid = (lo + hi) // 2\n"
        "        return go(mid, hi) + go(lo, mid)\n"
        "    return go(0, len(s))\n"
    )
    assert grade(code, KATAS["reverse-string"]).verdict is Verdict.PASSED


def test_a_recursive_generator_passes(sandbox: None) -> None:
    code = (
        "def hanoi(n, source='A', target='C', auxiliary='B'):\n"
        "    if n:\n"
        "        yield from hanoi(n - 1, source, auxiliary, target)\n"
        "        yield source, target\n"
        "        yield from hanoi(n - 1, auxiliary, target, source)\n"
    )
    assert grade(code, KATAS["hanoi"]).verdict is Verdict.PASSED


def test_fast_doubling_with_a_helper_passes(sandbox: None) -> None:
    code = (
        "def fibonacci(n):\n"
        "    return pair(n)[0]\n"
        "def pair(k):\n"
        "    if k == 0:\n"
        "        return 0, 1\n"
        "    a, b = pair(k // 2)\n"
        "    c, d = a * (2 * b - a), a * a + b * b\n"
        "    return (d, c + d) if k % 2 else (c, d)\n"
    )
    assert grade(code, KATAS["fibonacci"]).verdict is Verdict.PASSED


def test_a_wrong_answer_fails_with_expected_and_got(sandbox: None) -> None:
    code = "def factorial(n):\n    return 1 if n < 2 else n + factorial(n - 1)\n"
    result = grade(code, FACTORIAL)
    assert result.verdict is Verdict.FAILED
    example = result.tests[2]  # factorial(5)
    assert example.verdict is Verdict.FAILED
    assert (example.arguments, example.expected, example.got) == ("factorial(5)", "120", "15")
    assert example.detail == "expected 120, got 15"
    assert result.message == f"{example.name}: expected 120, got 15"
    hidden = [test for test in result.tests if test.hidden]
    assert all(test.expected is None and test.got is None for test in hidden)
    failed_hidden = [test for test in hidden if test.verdict is Verdict.FAILED]
    assert len(failed_hidden) >= 5
    assert all(test.arguments is None and test.detail == "wrong answer" for test in failed_hidden)


def test_true_is_not_an_acceptable_one(sandbox: None) -> None:
    code = "def factorial(n):\n    return True if n < 2 else n * factorial(n - 1)\n"
    result = grade(code, FACTORIAL)
    assert result.tests[0].verdict is Verdict.FAILED
    assert result.tests[0].detail == "expected 1, got True"


def test_a_syntax_error_is_an_error_and_nothing_runs(sandbox: None) -> None:
    result = grade("def factorial(n)\n    return 1\n", FACTORIAL)
    assert result.verdict is Verdict.ERROR
    assert result.message.startswith("SyntaxError")
    assert "line 1" in result.message
    assert result.tests == ()


def test_a_missing_function_is_an_error(sandbox: None) -> None:
    result = grade("def fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\n", FACTORIAL)
    assert result.verdict is Verdict.ERROR
    assert "define a function named factorial" in result.message


def test_oversized_code_is_refused_without_running(sandbox: None) -> None:
    code = FACTORIAL.solution + "#" * FACTORIAL.limits.code_bytes
    result = grade(code, FACTORIAL)
    assert result.verdict is Verdict.REFUSED
    assert "limit" in result.message
    assert result.tests == ()


def test_an_exception_reports_the_last_traceback_line(sandbox: None) -> None:
    code = "def factorial(n):\n    raise ValueError(f'no factorial for {n}')\n"
    result = grade(code, FACTORIAL)
    assert result.verdict is Verdict.ERROR
    assert result.tests[2].detail == "ValueError: no factorial for 5"


def test_too_deep_recursion_is_an_error_for_that_test_only(sandbox: None) -> None:
    code = "def reverse_string(s):\n    return s if len(s) <= 1 else reverse_string(s[1:]) + s[0]\n"
    result = grade(code, KATAS["reverse-string"])
    assert result.verdict is Verdict.ERROR
    by_label = {test.name.split(": ", 1)[-1]: test for test in result.tests}
    assert by_label["deep: 50,000 characters"].detail.startswith("RecursionError")
    assert by_label["palindrome"].verdict is Verdict.PASSED


def test_builtins_patched_during_one_test_are_restored_for_the_next(sandbox: None) -> None:
    code = (
        "import builtins\n"
        "def factorial(n):\n"
        "    if n == 0:\n"
        "        builtins.max = lambda *args: 0\n"
        "        return 1\n"
        "    return 1 if n < 2 else max(1, n) * factorial(n - 1)\n"
    )
    assert grade(code, FACTORIAL).verdict is Verdict.PASSED


def test_printed_output_is_captured(sandbox: None) -> None:
    code = "def factorial(n):\n    print('computing', n)\n" + RECURSIVE_TAIL
    result = grade(code, SMALL_FACTORIAL)
    assert result.verdict is Verdict.PASSED
    assert result.output.startswith("computing 0\ncomputing 1\ncomputing 5\n")


# --- recursion is required -------------------------------------------------------------


def test_a_non_recursive_solution_that_passes_every_test_is_not_recursive(
    sandbox: None,
) -> None:
    code = "import math\n\ndef factorial(n):\n    return math.prod(range(2, n + 1))\n"
    result = grade(code, FACTORIAL)
    assert result.verdict is Verdict.NOT_RECURSIVE
    assert {test.verdict for test in result.tests} == {Verdict.PASSED, Verdict.NOT_RECURSIVE}
    assert result.recursive_in_source is False
    assert "never calls itself" in result.message


def test_a_self_call_in_dead_code_is_caught_at_run_time(sandbox: None) -> None:
    code = (
        "def factorial(n):\n"
        "    if n < 0:\n"
        "        return factorial(-n)\n"
        "    result = 1\n"
        "    for k in range(2, n + 1):\n"
        "        result *= k\n"
        "    return result\n"
    )
    result = grade(code, FACTORIAL)
    assert result.verdict is Verdict.NOT_RECURSIVE
    assert result.recursive_in_source is True
    assert result.recursive_at_runtime is False
    deep = [test for test, case in zip(result.tests, FACTORIAL.tests, strict=True) if case.deep]
    assert all(test.verdict is Verdict.NOT_RECURSIVE for test in deep)


def test_a_submission_cannot_forge_the_recursion_evidence(sandbox: None) -> None:
    # Dead-code recursion to pass the source check, then every trick at hand to make the
    # run-time check believe it recursed.
    code = (
        "import sys\n"
        "def _forge():\n"
        "    for attempt in (\n"
        "        lambda: sys.settrace(None),\n"
        "        lambda: sys.gettrace()(None, 'call', None),\n"
        "        lambda: __import__('gc').get_objects(),\n"
        "        lambda: sys._getframe(1).f_locals.update(observed=[True]),\n"
        "        lambda: sys.addaudithook(lambda *a: None),\n"
        "    ):\n"
        "        try:\n"
        "            attempt()\n"
        "        except Exception:\n"
        "            pass\n"
        "def factorial(n):\n"
        "    _forge()\n"
        "    if n < 0:\n"
        "        return factorial(n)\n"
        "    result = 1\n"
        "    for k in range(2, n + 1):\n"
        "        result *= k\n"
        "    return result\n"
    )
    result = grade(code, FACTORIAL)
    assert result.verdict is Verdict.NOT_RECURSIVE
    assert result.recursive_at_runtime is False


# --- the answers never enter the sandbox; forged results do not count ------------------


@pytest.mark.parametrize("kata", KATAS.values(), ids=list(KATAS))
def test_the_sandbox_receives_inputs_but_no_expected_values(kata: Kata) -> None:
    job = build_job(kata.solution, kata)
    assert set(job) == {"mode", "runner", "code", "function", "tests"}
    assert job["tests"] == [plain(list(case.args)) for case in kata.tests]
    serialized = json.dumps({key: value for key, value in job.items() if key != "runner"})
    assert "expected" not in serialized
    for case in kata.tests:
        answer = json_of(plain(case.expected))
        if len(answer) >= 6 and answer not in json.dumps(plain(list(case.args))):
            assert answer not in serialized, case.label


def test_a_submission_cannot_read_the_expected_answers(sandbox: None) -> None:
    # Everything the process could look at: its stdin, its fds, the files around it, the
    # frames and objects of the harness. The best it finds is returned as the answer.
    code = (
        FIND_POSIX + "def factorial(n):\n"
        "    found = []\n"
        "    posix = _posix()\n"
        "    for fd in range(64):\n"
        "        try:\n"
        "            found.append(posix.read(fd, 1 << 20))\n"
        "        except Exception:\n"
        "            pass\n"
        "    for attempt in (\n"
        "        lambda: open('/proc/self/environ').read(),\n"
        "        lambda: __import__('gc').get_objects(),\n"
        "        lambda: __import__('sys')._getframe(1).f_back.f_locals,\n"
        "        lambda: posix.listdir('/'),\n"
        "    ):\n"
        "        try:\n"
        "            found.append(attempt())\n"
        "        except Exception:\n"
        "            pass\n"
        "    numbers = [int(x) for x in repr(found).split() if x.isdigit()]\n"
        "    return max(numbers, default=-1) if n > 1 else factorial(n - 1) if n else -1\n"
    )
    result = grade_hostile(code)
    assert result.verdict is Verdict.FAILED


def test_forged_result_frames_do_not_pass(sandbox: None) -> None:
    # Well-formed frames of both protocols (runner -> supervisor and supervisor -> host),
    # claiming every test passed with recursion, printed and written to every fd, then an
    # early exit before the real answer would be reported.
    forged = []
    for index in range(len(SMALL_FACTORIAL.tests)):
        for key in ("nonce", "token"):
            body = {
                "t": "result" if key == "nonce" else "test",
                "i": index,
                "status": "ok",
                "value": {"int": hex(120)},
                "recursed": True,
                key: "0" * 32,
            }
            data = json.dumps(body).encode()
            forged.append(len(data).to_bytes(4, "big") + data)
    code = (
        FIND_POSIX + f"FORGED = {b''.join(forged)!r}\n" + "def factorial(n):\n"
        "    posix = _posix()\n"
        "    print(FORGED.decode('latin-1'))\n"
        "    for fd in range(64):\n"
        "        try:\n"
        "            posix.write(fd, FORGED)\n"
        "        except OSError:\n"
        "            pass\n"
        "    posix._exit(0)\n"
        "    return factorial(n)\n"
    )
    result = grade_hostile(code)
    assert result.verdict is Verdict.ERROR
    assert "not from the grader's runner" in result.tests[0].detail
    assert_host_healthy()


def test_exiting_early_fails_only_that_test(sandbox: None) -> None:
    code = FIND_POSIX + "def factorial(n):\n    if n == 5:\n        _posix()._exit(0)\n"
    code += HELPER_TAIL
    result = grade(code, FACTORIAL)
    assert result.verdict is Verdict.ERROR
    assert [test.verdict for test in result.tests].count(Verdict.ERROR) == 1
    assert "exited with status 0 before returning a result" in result.tests[2].detail


def test_a_crash_fails_only_that_test(sandbox: None) -> None:
    code = (
        "import functools, sys\n"
        "sys.setrecursionlimit(10**7)\n"
        "@functools.lru_cache(maxsize=None)\n"
        "def down(k):\n"
        "    return 0 if k == 0 else down(k - 1) + 1\n"
        "def factorial(n):\n"
        "    if n == 5:\n"
        "        down(3 * 10**6)\n"  # C stack overflow: SIGSEGV
    ) + HELPER_TAIL
    result = grade(code, FACTORIAL)
    assert result.verdict is Verdict.ERROR
    assert "segmentation fault" in result.tests[2].detail
    assert all(test.verdict is Verdict.PASSED for test in result.tests[3:])


# --- the acceptance list of hostile submissions ----------------------------------------


def test_an_infinite_loop_times_out(sandbox: None) -> None:
    started = time.monotonic()
    result = grade_hostile("def factorial(n):\n    while True:\n        pass\n")
    elapsed = time.monotonic() - started
    assert result.verdict is Verdict.TIMEOUT
    assert all(test.verdict is Verdict.TIMEOUT for test in result.tests)
    assert elapsed < HOSTILE_LIMITS.run_seconds + 3
    assert not descendants()
    assert_host_healthy()


def test_a_fork_bomb_is_contained(sandbox: None) -> None:
    code = (
        FIND_POSIX + "def factorial(n):\n"
        "    try:\n"
        "        import os\n"
        "        fork = os.fork\n"
        "    except Exception:\n"
        "        fork = _posix().fork\n"
        "    while True:\n"
        "        fork()\n"
    )
    result = grade_hostile(code)
    assert result.verdict is Verdict.ERROR
    assert "os.fork is not permitted" in result.tests[0].detail
    assert not descendants()
    assert_host_healthy()


def test_allocating_ten_gigabytes_is_a_memory_verdict(sandbox: None) -> None:
    result = grade_hostile("def factorial(n):\n    return len(bytearray(10 * 2**30))\n")
    assert result.verdict is Verdict.MEMORY
    assert all(test.verdict is Verdict.MEMORY for test in result.tests)
    assert_host_healthy()


def test_printing_a_hundred_megabytes_is_cut_off(sandbox: None) -> None:
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    started = time.monotonic()
    result = grade_hostile("def factorial(n):\n    print('x' * 100 * 2**20)\n    return 1\n")
    assert time.monotonic() - started < 10
    assert result.verdict is Verdict.ERROR
    assert "printed more than" in result.tests[0].detail
    assert result.output_truncated
    assert len(result.output) <= HOSTILE_LIMITS.output_bytes
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert peak_after - peak_before < 50 * 1024  # the 100 MB never reached this process
    assert_host_healthy()


@pytest.mark.parametrize(
    "path", ["/etc/passwd", str(SETTINGS_FILE)], ids=["etc-passwd", "settings"]
)
def test_reading_host_files_fails(sandbox: None, path: str) -> None:
    secret_line = next(line for line in Path(path).read_text().splitlines() if len(line) > 12)
    code = (
        FIND_POSIX + "def factorial(n):\n"
        "    found = []\n"
        f"    for reader in (lambda: open({path!r}).read(),\n"
        f"                   lambda: _posix().open({path!r}, 0)):\n"
        "        try:\n"
        "            found.append(reader())\n"
        "        except Exception as exc:\n"
        "            found.append(repr(exc))\n"
        "    raise RuntimeError(repr(found))\n"
    )
    result = grade_hostile(code)
    assert result.verdict is Verdict.ERROR
    assert "open is not permitted" in result.tests[0].detail
    assert secret_line not in everything_reported(result)
    assert_host_healthy()


@pytest.fixture
def project_database() -> Iterator[tuple[Path, str]]:
    """A SQLite database in the project's var/ (where the embedded default keeps its own)."""
    canary = f"canary-{secrets.token_hex(8)}"
    path = REPO / "var" / f"katas-sandbox-test-{secrets.token_hex(4)}.sqlite3"
    path.parent.mkdir(exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute("create table secrets (value text)")
        connection.execute("insert into secrets values (?)", (canary,))
    connection.close()
    yield path, canary
    path.unlink(missing_ok=True)


def test_reading_the_project_database_fails(
    sandbox: None, project_database: tuple[Path, str]
) -> None:
    path, canary = project_database
    code = (
        "def factorial(n):\n"
        "    found = []\n"
        f"    for reader in (lambda: open({str(path)!r}, 'rb').read(),\n"
        f"                   lambda: __import__('sqlite3').connect({str(path)!r})):\n"
        "        try:\n"
        "            found.append(reader())\n"
        "        except Exception as exc:\n"
        "            found.append(repr(exc))\n"
        "    raise RuntimeError(repr(found))\n"
    )
    result = grade_hostile(code)
    assert result.verdict is Verdict.ERROR
    assert canary not in everything_reported(result)
    assert canary.encode() in path.read_bytes()  # the canary is there to be stolen
    assert_host_healthy()


def test_the_server_environment_is_invisible(
    sandbox: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = f"canary-{secrets.token_hex(8)}"
    monkeypatch.setenv("REHEARSE_KATAS_CANARY", canary)
    code = (
        FIND_POSIX + "def factorial(n):\n"
        "    found = [repr(_posix().environ)]\n"
        "    for reader in (lambda: __import__('os').environ,\n"
        "                   lambda: open('/proc/self/environ').read(),\n"
        "                   lambda: open('/proc/1/environ').read()):\n"
        "        try:\n"
        "            found.append(repr(reader()))\n"
        "        except Exception as exc:\n"
        "            found.append(repr(exc))\n"
        "    print(found)\n"
        "    raise RuntimeError(repr(found))\n"
    )
    result = grade_hostile(code)
    assert result.verdict is Verdict.ERROR
    report = everything_reported(result)
    assert "PWD" in report  # the submission did report the environment it saw...
    assert canary not in report  # ...and the canary was not there
    assert "REHEARSE_KATAS_CANARY" not in report
    assert_host_healthy()


def test_the_database_and_cache_ports_are_unreachable(
    sandbox: None, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    code = (
        "def factorial(n):\n"
        "    found = []\n"
        f"    for port in (5432, 6379, {port}):\n"
        "        try:\n"
        "            import socket\n"
        "            socket.create_connection(('127.0.0.1', port), timeout=1).close()\n"
        "            found.append(('connected', port))\n"
        "        except Exception as exc:\n"
        "            found.append(repr(exc))\n"
        "    raise RuntimeError(repr(found))\n"
    )
    result = grade_hostile(code)
    assert result.verdict is Verdict.ERROR
    assert "connected" not in result.tests[0].detail
    assert "import socket is not permitted" in result.tests[0].detail
    assert_nobody_connected(listener)
    assert_host_healthy()


def test_writing_outside_tmp_fails(sandbox: None) -> None:
    marker = f"katas-sandbox-pwned-{secrets.token_hex(4)}"
    targets = [REPO / marker, Path("/tmp") / marker, Path("/root") / marker]
    code = (
        FIND_POSIX + "def factorial(n):\n"
        "    errors = []\n"
        f"    for path in {[str(t) for t in targets]!r}:\n"
        "        for writer in (lambda: open(path, 'w').write('pwned'),\n"
        "                       lambda: _posix().open(path, 0o1101)):\n"
        "            try:\n"
        "                writer()\n"
        "            except Exception as exc:\n"
        "                errors.append(repr(exc))\n"
        "    raise RuntimeError(repr(errors))\n"
    )
    result = grade_hostile(code)
    assert result.verdict is Verdict.ERROR
    assert not any(target.exists() for target in targets)
    assert_host_healthy()


def test_killing_the_parent_fails(sandbox: None) -> None:
    code = (
        FIND_POSIX + "def factorial(n):\n"
        "    posix, errors = _posix(), []\n"
        f"    for pid in (posix.getppid(), 1, -1, {os.getpid()}, {os.getppid()}):\n"
        "        try:\n"
        "            posix.kill(pid, 9)\n"
        "        except Exception as exc:\n"
        "            errors.append(repr(exc))\n"
        "    raise RuntimeError(repr(errors))\n"
    )
    result = grade_hostile(code)
    assert result.verdict is Verdict.ERROR
    os.kill(os.getpid(), 0)  # still here
    # The supervisor survived too: every test has its own report.
    assert all("os.kill is not permitted" in test.detail for test in result.tests)
    assert_host_healthy()


def test_ctypes_cannot_be_imported_to_call_libc(sandbox: None) -> None:
    code = (
        "def factorial(n):\n"
        "    import ctypes\n"
        "    libc = ctypes.CDLL(None)\n"
        f"    libc.kill({os.getpid()}, 9)\n"
    ) + RECURSIVE_TAIL
    result = grade_hostile(code)
    assert result.verdict is Verdict.ERROR
    assert "import ctypes is not permitted" in result.tests[0].detail
    assert_host_healthy()


def test_no_sandbox_process_outlives_grading(sandbox: None) -> None:
    grade_hostile(FIND_POSIX + "def factorial(n):\n    _posix()._exit(3)\n")
    grade_hostile("def factorial(n):\n    while True:\n        pass\n")
    assert not descendants()


# --- the sandbox itself, without the in-process guard ----------------------------------


def test_the_command_line_shares_nothing_it_does_not_need() -> None:
    command = sandbox_command(SandboxConfig(), Limits())
    required = ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent"]
    required += ["--new-session", "--clearenv"]
    for flag in required:
        assert flag in command
    remounted = {command[i + 1] for i, arg in enumerate(command) if arg == "--remount-ro"}
    assert remounted == {"/", "/dev"}
    assert command[command.index("--cap-drop") + 1] == "ALL"
    assert command[command.index("--uid") + 1] == str(SANDBOX_UID)
    assert "--proc" not in command
    assert "--share-net" not in command
    bound = [command[i + 2] for i, arg in enumerate(command) if arg in ("--ro-bind", "--bind")]
    assert not any(arg == "--bind" for arg in command)  # everything bound is read-only
    for path in bound:
        assert path.startswith(("/usr/", "/lib")), path
    assert command[-4:-1] == ["-I", "-S", "-c"]


def test_code_runs_as_nobody_without_capabilities(sandbox: None) -> None:
    findings = probe(
        "import ctypes, json, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "PR_CAPBSET_READ, CLONE_NEWUSER = 23, 0x10000000\n"
        "result = {\n"
        "    'ids': [os.getuid(), os.geteuid(), os.getgid(), os.getegid()],\n"
        "    'bounding_set': [c for c in range(64) if libc.prctl(PR_CAPBSET_READ, c) == 1],\n"
        "    'setuid_root': libc.setuid(0),\n"
        "    'new_user_namespace': libc.unshare(CLONE_NEWUSER),\n"
        "    'pid': os.getpid(),\n"
        "}\n"
        "try:\n"
        "    os.chroot('/tmp')\n"
        "    result['chroot'] = 'allowed'\n"
        "except OSError as exc:\n"
        "    result['chroot'] = exc.errno\n"
        "print(json.dumps(result))\n"
    )
    assert findings["ids"] == [SANDBOX_UID] * 4
    assert findings["bounding_set"] == []
    assert findings["setuid_root"] == -1
    assert findings["new_user_namespace"] == -1
    assert findings["chroot"] != "allowed"
    assert findings["pid"] < 10  # a PID namespace of its own


def test_the_filesystem_is_minimal_and_read_only(
    sandbox: None, project_database: tuple[Path, str]
) -> None:
    database, _ = project_database
    findings = probe(
        "import json, os\n"
        "def attempt(action):\n"
        "    try:\n"
        "        action()\n"
        "        return 'ok'\n"
        "    except OSError as exc:\n"
        "        return type(exc).__name__\n"
        "result = {'root': sorted(os.listdir('/')), 'tmp': os.listdir('/tmp')}\n"
        f"for path in ('/etc/passwd', {str(SETTINGS_FILE)!r}, {str(database)!r},\n"
        "             '/proc/self/environ', '/root', '/home', '/var'):\n"
        "    result[path] = attempt(lambda: open(path, 'rb').read())\n"
        "for path in ('/usr/lib/pwned', '/usr/pwned', '/pwned', '/dev/pwned', '/dev/shm/pwned'):\n"
        "    result['write ' + path] = attempt(lambda: open(path, 'w').write('x'))\n"
        "result['write /tmp'] = attempt(lambda: open('/tmp/small', 'w').write('x'))\n"
        "result['write /tmp 4 MiB'] = attempt(\n"
        "    lambda: open('/tmp/big', 'wb').write(b'x' * (4 << 20)))\n"
        "print(json.dumps(result))\n"
    )
    assert set(findings["root"]) <= {"usr", "lib", "lib64", "bin", "dev", "tmp"}
    assert findings["tmp"] == []  # private and empty, not the host's /tmp
    for path in ("/etc/passwd", str(SETTINGS_FILE), str(database), "/proc/self/environ"):
        assert findings[path] == "FileNotFoundError", path
    for path in ("/usr/lib/pwned", "/usr/pwned", "/pwned", "/dev/pwned", "/dev/shm/pwned"):
        assert findings["write " + path] != "ok", path
    assert findings["write /tmp"] == "ok"
    assert findings["write /tmp 4 MiB"] != "ok"  # RLIMIT_FSIZE and the tmpfs size


def test_the_environment_is_empty(sandbox: None, monkeypatch: pytest.MonkeyPatch) -> None:
    canary = f"canary-{secrets.token_hex(8)}"
    monkeypatch.setenv("REHEARSE_KATAS_CANARY", canary)
    findings = probe("import json, os\nprint(json.dumps(dict(os.environ)))\n")
    del findings["_report"]
    assert canary not in json.dumps(findings)
    assert set(findings) <= {"PWD", "LC_CTYPE"}  # what bwrap and Python set themselves


def test_there_is_no_network(sandbox: None, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    for service_port in (5432, 6379):  # PostgreSQL and Redis, reachable from the host
        with socket.create_connection(("127.0.0.1", service_port), timeout=2):
            pass
    findings = probe(
        "import json, socket\n"
        "result = {'interfaces': [name for _, name in socket.if_nameindex()]}\n"
        f"for port in (5432, 6379, {port}):\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', port), timeout=1).close()\n"
        "        result[str(port)] = 'connected'\n"
        "    except OSError as exc:\n"
        "        result[str(port)] = type(exc).__name__\n"
        "print(json.dumps(result))\n"
    )
    assert findings["interfaces"] == ["lo"]
    for probed in (5432, 6379, port):
        assert findings[str(probed)] == "ConnectionRefusedError"
    assert_nobody_connected(listener)


def test_host_processes_cannot_be_seen_or_signalled(sandbox: None) -> None:
    findings = probe(
        "import ctypes, json, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "result = {}\n"
        f"for pid in ({os.getpid()}, {os.getppid()}):\n"
        "    try:\n"
        "        os.kill(pid, 0)\n"
        "        result[str(pid)] = 'visible'\n"
        "    except OSError as exc:\n"
        "        result[str(pid)] = type(exc).__name__\n"
        f"    result['libc ' + str(pid)] = [libc.kill(pid, 9), ctypes.get_errno()]\n"
        "print(json.dumps(result))\n"
    )
    for pid in (os.getpid(), os.getppid()):
        assert findings[str(pid)] == "ProcessLookupError"
        assert findings[f"libc {pid}"] == [-1, 3]  # ESRCH
    os.kill(os.getpid(), 0)


def test_forks_memory_and_cpu_are_limited(sandbox: None) -> None:
    findings = probe(
        "import json, os\n"
        "result = {}\n"
        "try:\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        os._exit(0)\n"
        "    result['fork'] = 'forked'\n"
        "except OSError as exc:\n"
        "    result['fork'] = type(exc).__name__\n"
        "try:\n"
        "    bytearray(10 * 2**30)\n"
        "    result['10 GiB'] = 'allocated'\n"
        "except MemoryError:\n"
        "    result['10 GiB'] = 'MemoryError'\n"
        "print(json.dumps(result))\n"
    )
    assert findings["fork"] == "BlockingIOError"  # EAGAIN from RLIMIT_NPROC
    assert findings["10 GiB"] == "MemoryError"
    started = time.monotonic()
    spin = run_script(
        "while True:\n    pass\n", limits=Limits(cpu_seconds=1, test_seconds=10, run_seconds=10)
    )
    assert spin["signal"] in (signal.SIGXCPU, signal.SIGKILL)
    assert time.monotonic() - started < 8


def test_grading_is_refused_when_bubblewrap_is_missing(tmp_path: Path) -> None:
    missing = SandboxConfig(bwrap=str(tmp_path / "bwrap"))
    assert sandbox_available(missing) is False
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        grade(FACTORIAL.solution, FACTORIAL, sandbox=missing)


def test_grading_is_refused_when_the_interpreter_is_missing(tmp_path: Path) -> None:
    missing = SandboxConfig(python=str(tmp_path / "python3"))
    assert sandbox_available(missing) is False
    with pytest.raises(SandboxUnavailable, match="interpreter"):
        grade(FACTORIAL.solution, FACTORIAL, sandbox=missing)


# --- the source check ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "recursive"),
    [
        ("def f(n):\n    return f(n - 1) if n else 0\n", True),
        ("def f(n):\n    return g(n)\ndef g(n):\n    return f(n - 1) if n else 0\n", True),
        ("def f(n):\n    return g(n)\ndef g(n):\n    return g(n - 1) if n else 0\n", True),
        ("def f(xs):\n    return sum(map(f, xs)) if isinstance(xs, list) else xs\n", True),
        ("f = lambda n: f(n - 1) if n else 0\n", True),
        (
            "class S:\n    def go(self, n):\n        return self.go(n - 1) if n else 0\n"
            "def f(n):\n    return S().go(n)\n",
            True,
        ),
        ("def f(n):\n    return n\n", False),
        ("def f(n):\n    return g(n)\ndef g(n):\n    return n\n", False),
        ("def g(n):\n    return g(n)\ndef f(n):\n    return n\n", False),  # unreachable
        ("def f(n):\n    f = 3\n    return n\n", False),  # a store is not a mention
    ],
)
def test_the_source_check_finds_call_cycles_through_the_function(
    code: str, recursive: bool
) -> None:
    report = check_source(code, "f")
    assert report.defines_function
    assert report.recursive is recursive


def test_the_function_must_be_defined_at_the_top_level() -> None:
    assert not check_source("def g():\n    def f(n):\n        return f(n)\n", "f").defines_function


def test_code_nested_too_deeply_is_an_error_not_a_crash(sandbox: None) -> None:
    code = "def factorial(n):\n    return " + "-" * 5_000 + "n\n"
    result = grade(code, FACTORIAL)
    assert result.verdict is Verdict.ERROR
    assert "nested too deeply" in result.message
