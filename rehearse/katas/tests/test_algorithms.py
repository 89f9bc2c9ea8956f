"""The recursion algorithms against independent references, with hypothesis.

References: ``math.factorial``, an iterative Fibonacci, ``bisect``, slicing, and a
simulation of the three pegs that rejects any illegal Hanoi move.
"""

from __future__ import annotations

import bisect
import math
import sys
from collections.abc import Callable, Iterable
from types import FrameType
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehearse.katas.algorithms import (
    binary_search,
    binary_search_recursive,
    factorial,
    factorial_recursive,
    fibonacci,
    fibonacci_memoized,
    fibonacci_recursive,
    hanoi_moves,
    hanoi_recursive,
    reverse_string,
    reverse_string_halving,
    reverse_string_recursive,
)


def iterative_fibonacci(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


T = TypeVar("T")


def simulate_hanoi(n: int, moves: Iterable[tuple[str, str]], pegs: tuple[str, str, str]) -> None:
    """Replay ``moves`` on real pegs; fail on any illegal move or a wrong final state."""
    source, target, auxiliary = pegs
    state = {source: list(range(n, 0, -1)), target: [], auxiliary: []}
    count = 0
    for src, dst in moves:
        count += 1
        assert state[src], f"move {count}: {src} is empty"
        disk = state[src][-1]
        assert not state[dst] or state[dst][-1] > disk, f"move {count}: {disk} onto smaller"
        state[dst].append(state[src].pop())
    assert count == 2**n - 1
    assert state[target] == list(range(n, 0, -1))
    assert not state[source]
    assert not state[auxiliary]


def depth_of(call: Callable[[], T]) -> tuple[T, int]:
    """Return ``call()`` and the deepest nesting of Python calls below ``call`` itself."""
    depth = deepest = 0

    def profile(frame: FrameType, event: str, arg: object) -> None:
        nonlocal depth, deepest
        if event == "call":
            depth += 1
            deepest = max(deepest, depth)
        elif event == "return":
            depth -= 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = call()
    finally:
        sys.setprofile(previous)
    return result, deepest - 1


# --- factorial -------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=400))
def test_factorial_recursive_matches_math(n: int) -> None:
    assert factorial_recursive(n) == math.factorial(n)


@given(st.integers(min_value=0, max_value=5_000))
def test_factorial_matches_math(n: int) -> None:
    assert factorial(n) == math.factorial(n)


def test_factorial_of_large_n_needs_only_logarithmic_depth() -> None:
    result, depth = depth_of(lambda: factorial(100_000))
    assert result == math.factorial(100_000)
    assert depth <= 16  # one-frame-per-factor recursion would need 100,000


def test_factorial_recursive_depth_is_n() -> None:
    assert depth_of(lambda: factorial_recursive(300))[1] == 301
    with pytest.raises(RecursionError):
        factorial_recursive(sys.getrecursionlimit() + 1)


@pytest.mark.parametrize("bad", [-1, -100])
def test_factorial_of_a_negative_number_is_a_value_error(bad: int) -> None:
    with pytest.raises(ValueError, match="negative"):
        factorial(bad)
    with pytest.raises(ValueError, match="negative"):
        factorial_recursive(bad)


@pytest.mark.parametrize("bad", [2.0, "3", True, None, 1.5])
def test_factorial_of_a_non_integer_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="needs an int"):
        factorial(bad)  # type: ignore[arg-type]


# --- fibonacci -------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=18))
def test_fibonacci_recursive_matches_iteration(n: int) -> None:
    assert fibonacci_recursive(n) == iterative_fibonacci(n)


@given(st.integers(min_value=0, max_value=700))
def test_fibonacci_memoized_matches_iteration(n: int) -> None:
    assert fibonacci_memoized(n) == iterative_fibonacci(n)


@given(st.integers(min_value=0, max_value=20_000))
def test_fibonacci_fast_doubling_matches_iteration(n: int) -> None:
    assert fibonacci(n) == iterative_fibonacci(n)


@given(st.integers(min_value=1, max_value=300_000))
def test_fibonacci_satisfies_cassini_identity(n: int) -> None:
    # F(n-1) * F(n+1) - F(n)^2 = (-1)^n: an independent check far past what iteration
    # can cross-check quickly.
    assert fibonacci(n - 1) * fibonacci(n + 1) - fibonacci(n) ** 2 == (-1) ** n


def test_fibonacci_of_a_million_needs_only_logarithmic_depth() -> None:
    value, depth = depth_of(lambda: fibonacci(10**6))
    assert value % 10**10 == iterative_fibonacci_mod(10**6, 10**10)
    assert depth <= 23  # fibonacci + floor(log2(10^6)) + 2 levels of _fib_pair


def iterative_fibonacci_mod(n: int, modulus: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, (a + b) % modulus
    return a


def test_fibonacci_memoized_recursion_depth_is_n() -> None:
    assert depth_of(lambda: fibonacci_memoized(500))[1] >= 500
    with pytest.raises(RecursionError):
        fibonacci_memoized(sys.getrecursionlimit() + 1)


@pytest.mark.parametrize("function", [fibonacci, fibonacci_memoized, fibonacci_recursive])
def test_fibonacci_of_a_negative_index_is_a_value_error(function: Callable[[int], int]) -> None:
    with pytest.raises(ValueError, match="negative"):
        function(-3)


@pytest.mark.parametrize("bad", [2.5, "7", False])
def test_fibonacci_of_a_non_integer_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        fibonacci(bad)  # type: ignore[arg-type]


# --- binary search ---------------------------------------------------------------------

sorted_lists = st.lists(st.integers(min_value=-50, max_value=50), max_size=200).map(sorted)


@given(sorted_lists, st.integers(min_value=-60, max_value=60))
def test_binary_search_returns_the_leftmost_match_like_bisect(arr: list[int], target: int) -> None:
    i = bisect.bisect_left(arr, target)
    expected = i if i < len(arr) and arr[i] == target else -1
    assert binary_search(arr, target) == expected


@given(sorted_lists, st.integers(min_value=-60, max_value=60), st.data())
def test_binary_search_within_bounds_matches_bisect(
    arr: list[int], target: int, data: st.DataObject
) -> None:
    low = data.draw(st.integers(min_value=0, max_value=len(arr)))
    high = data.draw(st.integers(min_value=low - 1, max_value=len(arr) - 1))
    i = bisect.bisect_left(arr, target, low, high + 1)
    expected = i if i <= high and arr[i] == target else -1
    assert binary_search(arr, target, low, high) == expected


@given(sorted_lists, st.integers(min_value=-60, max_value=60))
def test_binary_search_recursive_finds_some_match_or_reports_absence(
    arr: list[int], target: int
) -> None:
    index = binary_search_recursive(arr, target)
    if target in arr:
        assert arr[index] == target
    else:
        assert index == -1


def test_binary_search_on_a_hundred_thousand_items_stays_shallow() -> None:
    arr = list(range(0, 200_000, 2))
    for target, expected in [(0, 0), (199_998, 99_999), (1, -1), (-5, -1), (500_000, -1)]:
        index, depth = depth_of(lambda t=target: binary_search(arr, t))  # type: ignore[misc]
        assert index == expected
        assert depth <= 20  # floor(log2(100,000)) + 3


def test_binary_search_with_many_duplicates_returns_the_first() -> None:
    arr = [0] * 50_000 + [1] * 50_000
    assert binary_search(arr, 1) == 50_000
    assert binary_search(arr, 0) == 0


@pytest.mark.parametrize(("low", "high"), [(-1, 2), (0, 5), (3, 1)])
def test_binary_search_rejects_bounds_outside_the_list(low: int, high: int) -> None:
    with pytest.raises(ValueError, match="bounds"):
        binary_search([1, 2, 3, 4, 5], 3, low, high)


# --- reverse string --------------------------------------------------------------------


@given(st.text(max_size=300))
def test_reverse_string_recursive_matches_slicing(s: str) -> None:
    assert reverse_string_recursive(s) == s[::-1]


@given(st.text(max_size=3_000))
def test_reverse_string_halving_and_production_match_slicing(s: str) -> None:
    assert reverse_string_halving(s) == s[::-1]
    assert reverse_string(s) == s[::-1]


def test_reverse_string_of_long_strings_does_not_overflow() -> None:
    s = "".join(chr(97 + i % 26) for i in range(100_000))
    reversed_s, depth = depth_of(lambda: reverse_string_halving(s))
    assert reversed_s == s[::-1]
    assert depth <= 18  # ceil(log2(100,000)) + 1
    assert depth_of(lambda: reverse_string(s)) == (s[::-1], 1)
    with pytest.raises(RecursionError):
        reverse_string_recursive(s[: sys.getrecursionlimit() + 1])


def test_reverse_string_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="needs a str"):
        reverse_string(b"bytes")  # type: ignore[arg-type]


# --- hanoi -----------------------------------------------------------------------------

peg_names = st.lists(st.text(min_size=1, max_size=5), min_size=3, max_size=3, unique=True)


@given(st.integers(min_value=0, max_value=10), peg_names)
def test_hanoi_moves_are_legal_and_minimal(n: int, pegs: list[str]) -> None:
    source, target, auxiliary = pegs
    simulate_hanoi(n, hanoi_moves(n, source, target, auxiliary), (source, target, auxiliary))
    simulate_hanoi(n, hanoi_recursive(n, source, target, auxiliary), (source, target, auxiliary))


@given(st.integers(min_value=0, max_value=12))
def test_hanoi_generator_and_recursion_agree(n: int) -> None:
    assert list(hanoi_moves(n)) == hanoi_recursive(n)


def test_hanoi_moves_is_lazy() -> None:
    moves = hanoi_moves(64)  # 2^64 - 1 moves: only a generator can start on this
    assert next(moves) == ("A", "B")
    assert next(moves) == ("A", "C")


def test_hanoi_of_zero_disks_has_no_moves() -> None:
    assert list(hanoi_moves(0)) == []
    assert hanoi_recursive(0) == []


@pytest.mark.parametrize(
    ("args", "error"),
    [((-1,), ValueError), ((2.0,), TypeError), ((3, "A", "A", "B"), ValueError)],
)
def test_hanoi_moves_validates_its_input(args: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        hanoi_moves(*args)  # type: ignore[arg-type]
