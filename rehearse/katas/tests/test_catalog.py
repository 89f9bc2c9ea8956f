"""The kata catalog: its data is complete, its answers right, its caps enforced.

Expected values are checked against references independent of
``rehearse.katas.algorithms`` (``math.factorial``, iteration, ``bisect``, slicing, a
simulation of the pegs), so a bug there cannot hide behind a catalog built from it.
"""

from __future__ import annotations

import bisect
import math
import sys
import threading
from typing import Any

import pytest

from rehearse.katas.catalog import (
    FACTORIAL_MAX_N,
    FIBONACCI_MAX_N,
    HANOI_MAX_N,
    KATAS,
    LIST_MAX_ITEMS,
    STRING_MAX_LENGTH,
    InputTooLarge,
    Kata,
    KataInputError,
    get_kata,
)
from rehearse.katas.grader.limits import Limits
from rehearse.katas.grader.static import check_source


def fibonacci_by_iteration(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def leftmost(arr: list[int], target: int, low: int = 0, high: int | None = None) -> int:
    high = len(arr) - 1 if high is None else high
    i = bisect.bisect_left(arr, target, low, high + 1)
    return i if i <= high and arr[i] == target else -1


def hanoi_is_solved(n: int, moves: list[tuple[str, str]], pegs: tuple[str, ...]) -> bool:
    source, target, auxiliary = pegs
    state = {source: list(range(n, 0, -1)), target: [], auxiliary: []}
    for src, dst in moves:
        if not state[src] or (state[dst] and state[dst][-1] < state[src][-1]):
            return False
        state[dst].append(state[src].pop())
    return len(moves) == 2**n - 1 and state[target] == list(range(n, 0, -1))


def independent_answer(slug: str, args: tuple[Any, ...]) -> Any:
    if slug == "factorial":
        return math.factorial(args[0])
    if slug == "fibonacci":
        return fibonacci_by_iteration(args[0])
    if slug == "binary-search":
        return leftmost(*args)
    if slug == "reverse-string":
        return args[0][::-1]
    raise AssertionError(slug)


def test_the_five_seed_katas_exist() -> None:
    assert list(KATAS) == ["factorial", "fibonacci", "binary-search", "reverse-string", "hanoi"]
    assert get_kata("hanoi") is KATAS["hanoi"]


def test_an_unknown_slug_names_the_existing_ones() -> None:
    with pytest.raises(KeyError, match="factorial"):
        get_kata("quicksort")


@pytest.mark.parametrize("kata", KATAS.values(), ids=list(KATAS))
def test_kata_is_complete(kata: Kata) -> None:
    assert kata.title
    assert kata.statement.startswith(f"# {kata.title}\n")
    assert "## Limits" in kata.statement
    assert kata.function_name.isidentifier()
    assert kata.signature.startswith(f"def {kata.function_name}(")
    assert kata.examples
    assert kata.hidden_tests
    assert any(case.deep for case in kata.hidden_tests)
    assert not any(case.deep for case in kata.examples)
    assert isinstance(kata.limits, Limits)
    assert f"{kata.limits.recursion_limit:,}" in kata.statement


@pytest.mark.parametrize("kata", KATAS.values(), ids=list(KATAS))
def test_model_solution_is_recursive_in_source(kata: Kata) -> None:
    report = check_source(kata.solution, kata.function_name)
    assert report.defines_function
    assert report.recursive


@pytest.mark.parametrize("slug", ["factorial", "fibonacci", "binary-search", "reverse-string"])
def test_expected_values_match_an_independent_reference(slug: str) -> None:
    for case in KATAS[slug].tests:
        assert case.expected == independent_answer(slug, case.args), case.label


def test_hanoi_expected_moves_solve_the_puzzle() -> None:
    for case in KATAS["hanoi"].tests:
        n, *named = case.args
        pegs = tuple(named) or ("A", "C", "B")
        assert hanoi_is_solved(n, case.expected, pegs), case.args


@pytest.mark.parametrize("kata", KATAS.values(), ids=list(KATAS))
def test_model_solution_returns_every_expected_value(kata: Kata) -> None:
    # The solutions are the catalog's own code: running them here (not sandboxed) is
    # fine. A thread with a big stack, because the deep cases recurse thousands deep.
    namespace: dict[str, Any] = {}
    exec(compile(kata.solution, f"<{kata.slug} solution>", "exec"), namespace)  # noqa: S102
    function = namespace[kata.function_name]
    failures: list[str] = []

    def run() -> None:
        for case in kata.tests:
            got = function(*case.args)
            if got != case.expected:
                failures.append(case.label or repr(case.args)[:80])

    old_limit = sys.getrecursionlimit()
    old_stack = threading.stack_size(256 * 1024 * 1024)
    sys.setrecursionlimit(max(old_limit, kata.limits.recursion_limit + 100))
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    assert not failures


def test_edge_and_deep_cases_are_covered() -> None:
    def inputs(slug: str) -> list[tuple[Any, ...]]:
        return [case.args for case in KATAS[slug].tests]

    assert (0,) in inputs("factorial")
    assert (FACTORIAL_MAX_N,) in inputs("factorial")
    assert (0,) in inputs("fibonacci")
    searches = inputs("binary-search")
    assert ([], 5) in searches  # empty list
    assert any(len(set(arr)) < len(arr) for arr, *_ in searches)  # duplicates
    assert any(target not in arr for arr, target, *_ in searches)  # absent target
    assert any(len(arr) == LIST_MAX_ITEMS for arr, *_ in searches)
    strings = [s for (s,) in inputs("reverse-string")]
    assert "" in strings
    assert any(len(s) >= 50_000 for s in strings)
    assert {n for n, *_ in inputs("hanoi")} >= set(range(11))


# --- run_reference: validation and caps ------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "args", "cap"),
    [
        ("factorial", (FACTORIAL_MAX_N + 1,), f"{FACTORIAL_MAX_N:,}"),
        ("fibonacci", (FIBONACCI_MAX_N + 1,), f"{FIBONACCI_MAX_N:,}"),
        ("hanoi", (HANOI_MAX_N + 1,), str(HANOI_MAX_N)),
        ("hanoi", (40,), str(HANOI_MAX_N)),
        ("reverse-string", ("x" * (STRING_MAX_LENGTH + 1),), f"{STRING_MAX_LENGTH:,}"),
        ("binary-search", (list(range(LIST_MAX_ITEMS + 1)), 3), f"{LIST_MAX_ITEMS:,}"),
    ],
)
def test_inputs_over_a_cap_are_refused_naming_the_cap(
    slug: str, args: tuple[Any, ...], cap: str
) -> None:
    with pytest.raises(InputTooLarge, match=cap) as caught:
        KATAS[slug].run_reference(*args)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("slug", "args"),
    [
        ("factorial", (-1,)),
        ("factorial", (2.0,)),
        ("factorial", (True,)),
        ("factorial", ()),
        ("fibonacci", ("10",)),
        ("binary-search", ([3, 1, 2], 1)),
        ("binary-search", ([1, 2, 3], 1, 2, 7)),
        ("binary-search", ([1, "2"], 1)),
        ("binary-search", ((1, 2), 1)),
        ("reverse-string", (b"abc",)),
        ("hanoi", (3, "A", "A", "B")),
        ("hanoi", (3, "")),
        ("hanoi", (3, "A", "B", "C", "D")),
    ],
)
def test_invalid_inputs_are_a_kata_input_error(slug: str, args: tuple[Any, ...]) -> None:
    with pytest.raises(KataInputError):
        KATAS[slug].run_reference(*args)


def test_reference_answers_at_the_caps() -> None:
    assert KATAS["fibonacci"].run_reference(FIBONACCI_MAX_N) == fibonacci_by_iteration(
        FIBONACCI_MAX_N
    )
    assert len(KATAS["hanoi"].run_reference(HANOI_MAX_N)) == 2**HANOI_MAX_N - 1
    assert KATAS["factorial"].run_reference(FACTORIAL_MAX_N) == math.factorial(FACTORIAL_MAX_N)
    assert KATAS["binary-search"].run_reference([1, 3, 3, 5], 3, 2, 3) == 2
    assert KATAS["hanoi"].run_reference(2, "X", "Y", "Z") == [("X", "Z"), ("X", "Y"), ("Z", "Y")]


@pytest.mark.parametrize("field", ["test_seconds", "memory_bytes", "recursion_limit"])
def test_limits_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Limits(**{field: 0})


def test_a_test_cannot_be_allowed_more_time_than_the_run() -> None:
    with pytest.raises(ValueError, match="test_seconds"):
        Limits(test_seconds=5, run_seconds=2)
