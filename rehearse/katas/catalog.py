"""The recursion katas as plain data: statements, signatures, tests, limits, references.

Five seed katas, one per recursion question of the interview sheet: ``factorial``,
``fibonacci``, ``binary-search``, ``reverse-string`` and ``hanoi``. Each carries the
Markdown statement a learner reads, the function to implement, visible examples, hidden
tests (edge cases, and "deep" cases where any recursive solution has to recurse), the
limits the grader runs it under, a model recursive solution, and the production
implementation from ``rehearse.katas.algorithms`` as its reference.

``Kata.run_reference`` is what the API calls to answer "what does the reference return
for these inputs?": it validates the inputs first, and inputs over a kata's caps raise
``InputTooLarge`` (a ``ValueError``) naming the cap, so a request can never make the
server compute, say, the 2^40 moves of a 40-disk Hanoi.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from rehearse.katas.algorithms import (
    binary_search,
    factorial,
    fibonacci,
    hanoi_moves,
    reverse_string,
)
from rehearse.katas.grader.limits import Limits

FACTORIAL_MAX_N = 2_000
FIBONACCI_MAX_N = 10_000
HANOI_MAX_N = 12
STRING_MAX_LENGTH = 100_000
LIST_MAX_ITEMS = 100_000
PEG_NAME_MAX_LENGTH = 20


class KataInputError(ValueError):
    """Inputs that a kata's reference implementation refuses to run on."""


class InputTooLarge(KataInputError):
    """An input over one of a kata's caps; the message names the cap."""

    def __init__(self, name: str, cap: int, actual: int, unit: str = "") -> None:
        self.name = name
        self.cap = cap
        self.actual = actual
        suffix = f" {unit}" if unit else ""
        super().__init__(f"{name} must be at most {cap:,}{suffix}, got {actual:,}{suffix}")


@dataclass(frozen=True)
class Case:
    """One call of the kata's function and the value it must return."""

    # Not in the repr: a 100,000-item list is noise, and 2,000! (5,736 digits) has no repr
    # at all under Python's default 4,300-digit limit for int-to-str conversion.
    args: tuple[Any, ...] = field(repr=False)
    expected: Any = field(repr=False)
    # What the case checks, shown with visible examples (e.g. "empty list").
    label: str = ""
    # Any recursive solution must recurse on this input; a submission that returns the
    # right answers without recursing here is graded "not_recursive".
    deep: bool = False


@dataclass(frozen=True)
class Kata:
    """A recursion exercise: what to write, how it is tested and graded."""

    slug: str
    title: str
    statement: str
    function_name: str
    signature: str
    examples: tuple[Case, ...]
    hidden_tests: tuple[Case, ...]
    limits: Limits
    reference: Callable[..., Any]
    validate: Callable[..., None]
    solution: str = field(repr=False)

    @property
    def tests(self) -> tuple[Case, ...]:
        """Every test the grader runs: the visible examples first, then the hidden ones."""
        return self.examples + self.hidden_tests

    def run_reference(self, *args: Any) -> Any:
        """Validate ``args`` against the kata's caps, then return the reference's answer."""
        self.validate(*args)
        return self.reference(*args)


def _arity(name: str, args: tuple[Any, ...], least: int, most: int) -> None:
    if not least <= len(args) <= most:
        expected = str(least) if least == most else f"{least} to {most}"
        raise KataInputError(f"{name} takes {expected} arguments, got {len(args)}")


def _require_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise KataInputError(f"{name} must be an integer, got {type(value).__name__}")
    return value


def _require_count(name: str, value: Any, cap: int) -> int:
    number = _require_int(name, value)
    if number < 0:
        raise KataInputError(f"{name} must not be negative, got {number}")
    if number > cap:
        raise InputTooLarge(name, cap, number)
    return number


def _validate_factorial(*args: Any) -> None:
    _arity("factorial", args, 1, 1)
    _require_count("n", args[0], FACTORIAL_MAX_N)


def _validate_fibonacci(*args: Any) -> None:
    _arity("fibonacci", args, 1, 1)
    _require_count("n", args[0], FIBONACCI_MAX_N)


def _validate_binary_search(*args: Any) -> None:
    _arity("binary_search", args, 2, 4)
    arr = args[0]
    if not isinstance(arr, list):
        raise KataInputError(f"arr must be a list, got {type(arr).__name__}")
    if len(arr) > LIST_MAX_ITEMS:
        raise InputTooLarge("arr", LIST_MAX_ITEMS, len(arr), "items")
    for item in arr:
        _require_int("every item of arr", item)
    if any(arr[i] > arr[i + 1] for i in range(len(arr) - 1)):
        raise KataInputError("arr must be sorted in ascending order")
    _require_int("target", args[1])
    low = _require_int("low", args[2]) if len(args) > 2 else 0
    high = _require_int("high", args[3]) if len(args) > 3 else len(arr) - 1
    if low < 0 or high >= len(arr) or high < low - 1:
        raise KataInputError(
            f"low={low}, high={high} must satisfy 0 <= low <= high + 1 <= len(arr)={len(arr)}"
        )


def _validate_reverse_string(*args: Any) -> None:
    _arity("reverse_string", args, 1, 1)
    s = args[0]
    if not isinstance(s, str):
        raise KataInputError(f"s must be a string, got {type(s).__name__}")
    if len(s) > STRING_MAX_LENGTH:
        raise InputTooLarge("s", STRING_MAX_LENGTH, len(s), "characters")


def _validate_hanoi(*args: Any) -> None:
    _arity("hanoi", args, 1, 4)
    _require_count("n", args[0], HANOI_MAX_N)
    pegs = args[1:]
    for peg in pegs:
        if not isinstance(peg, str) or not 1 <= len(peg) <= PEG_NAME_MAX_LENGTH:
            raise KataInputError(
                f"peg names must be strings of 1 to {PEG_NAME_MAX_LENGTH} characters"
            )
    if len(set(("A", "C", "B")[len(pegs) :] + pegs)) != 3:
        raise KataInputError("the three pegs must have different names")


def _hanoi_reference(*args: Any) -> list[tuple[str, str]]:
    return list(hanoi_moves(*args))


def _letters(length: int, seed: int) -> str:
    """A reproducible pseudo-random string, so deep cases are not palindromes by accident."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(length))


def _cases(
    reference: Callable[..., Any], calls: Sequence[tuple[tuple[Any, ...], str, bool]]
) -> tuple[Case, ...]:
    """Build cases whose expected values come from the reference implementation."""
    return tuple(
        Case(args=args, expected=reference(*args), label=label, deep=deep)
        for args, label, deep in calls
    )


def _limits_note(limits: Limits) -> str:
    return (
        "## Limits\n\n"
        f"- Each test: {limits.test_seconds:g} s of wall-clock time; the whole run: "
        f"{limits.run_seconds:g} s.\n"
        f"- Memory: {limits.memory_bytes // (1024 * 1024)} MiB of address space.\n"
        f"- Python's recursion limit: {limits.recursion_limit:,}.\n"
        "- Your code runs in a sandbox with no files, no network and no other processes; "
        "it may import `functools`, `math`, `itertools`, `collections`, `operator`, "
        "`bisect`, `heapq`, `string`, `typing` and `sys`, and nothing else.\n"
        "- The function must be recursive: it has to call itself, directly or through a "
        "helper you define. A correct solution that never recurses is graded "
        "`not_recursive`.\n"
    )


# --- factorial -------------------------------------------------------------------------

_FACTORIAL_LIMITS = Limits(recursion_limit=3_000)
_FACTORIAL = Kata(
    slug="factorial",
    title="Factorial",
    statement=(
        "# Factorial\n\n"
        "Write a recursive function `factorial(n)` that returns n! = 1 * 2 * ... * n, "
        "with 0! = 1.\n\n"
        "## Constraints\n\n"
        f"- `n` is an integer with 0 ≤ n ≤ {FACTORIAL_MAX_N:,}.\n"
        "- Python integers have no fixed size: 2,000! has 5,736 digits, and your answer "
        "must be exact.\n\n" + _limits_note(_FACTORIAL_LIMITS)
    ),
    function_name="factorial",
    signature="def factorial(n: int) -> int:",
    examples=_cases(
        factorial,
        [((0,), "zero is the base case", False), ((1,), "", False), ((5,), "", False)],
    ),
    hidden_tests=_cases(
        factorial,
        [
            ((2,), "smallest product", False),
            ((3,), "", False),
            ((10,), "", False),
            ((20,), "largest that fits in 64 bits", False),
            ((21,), "beyond 64 bits", False),
            ((100,), "", True),
            ((500,), "", True),
            ((FACTORIAL_MAX_N,), "deep: 2,000 levels", True),
        ],
    ),
    limits=_FACTORIAL_LIMITS,
    reference=factorial,
    validate=_validate_factorial,
    solution=(
        "def factorial(n: int) -> int:\n"
        "    if n == 0:\n"
        "        return 1\n"
        "    return n * factorial(n - 1)\n"
    ),
)

# --- fibonacci -------------------------------------------------------------------------

_FIBONACCI_LIMITS = Limits(recursion_limit=5_000)
_FIBONACCI = Kata(
    slug="fibonacci",
    title="Fibonacci numbers",
    statement=(
        "# Fibonacci numbers\n\n"
        "Write a recursive function `fibonacci(n)` that returns the n-th Fibonacci "
        "number: F(0) = 0, F(1) = 1 and F(n) = F(n - 1) + F(n - 2).\n\n"
        "## Constraints\n\n"
        "- `n` is an integer with 0 ≤ n ≤ 2,000.\n"
        "- The textbook double recursion makes about 1.6^n calls: it cannot finish "
        "F(40) in time. Remember the values you have computed (memoization), or use "
        "the fast-doubling identities F(2k) = F(k)(2F(k+1) - F(k)) and "
        "F(2k+1) = F(k)² + F(k+1)².\n\n" + _limits_note(_FIBONACCI_LIMITS)
    ),
    function_name="fibonacci",
    signature="def fibonacci(n: int) -> int:",
    examples=_cases(
        fibonacci,
        [((0,), "F(0)", False), ((1,), "F(1)", False), ((10,), "", False)],
    ),
    hidden_tests=_cases(
        fibonacci,
        [
            ((2,), "", False),
            ((3,), "", False),
            ((20,), "", False),
            ((40,), "too slow without memoization", True),
            ((92,), "largest that fits in a signed 64-bit integer", True),
            # Not deep: a memoized answer already holds F(92) and F(91) from the test before.
            ((93,), "beyond 64 bits", False),
            ((1_000,), "", True),
            ((2_000,), "deep", True),
        ],
    ),
    limits=_FIBONACCI_LIMITS,
    reference=fibonacci,
    validate=_validate_fibonacci,
    solution=(
        "from functools import lru_cache\n\n\n"
        "@lru_cache(maxsize=None)\n"
        "def fibonacci(n: int) -> int:\n"
        "    if n < 2:\n"
        "        return n\n"
        "    return fibonacci(n - 1) + fibonacci(n - 2)\n"
    ),
)

# --- binary-search ---------------------------------------------------------------------

_BINARY_SEARCH_LIMITS = Limits()
_EVENS = list(range(0, 2 * LIST_MAX_ITEMS, 2))
_HALVES = [0] * (LIST_MAX_ITEMS // 2) + [1] * (LIST_MAX_ITEMS // 2)
_BINARY_SEARCH = Kata(
    slug="binary-search",
    title="Binary search",
    statement=(
        "# Binary search\n\n"
        "Write a recursive function `binary_search(arr, target, low=0, high=None)` that "
        "looks for `target` in the sorted list `arr`, between the indexes `low` and "
        "`high` inclusive (`high=None` means the last index). Return the index of the "
        "**leftmost** occurrence of `target` in that range, or -1 if it is not there.\n\n"
        "## Constraints\n\n"
        f"- `arr` is a list of at most {LIST_MAX_ITEMS:,} integers in ascending order; "
        "it may be empty and may contain duplicates.\n"
        "- When given, 0 ≤ low ≤ high + 1 ≤ len(arr).\n"
        "- Each call should halve the range: a linear scan is too slow for the largest "
        "tests, and slicing the list copies it.\n\n" + _limits_note(_BINARY_SEARCH_LIMITS)
    ),
    function_name="binary_search",
    signature=(
        "def binary_search(arr: list[int], target: int, low: int = 0, "
        "high: int | None = None) -> int:"
    ),
    examples=_cases(
        binary_search,
        [
            (([1, 3, 5, 7, 9], 7), "found", False),
            (([1, 3, 5, 7, 9], 4), "absent", False),
            (([2, 2, 2, 3], 2), "duplicates: the leftmost index", False),
        ],
    ),
    hidden_tests=_cases(
        binary_search,
        [
            (([], 5), "empty list", False),
            (([5], 5), "one item, found", False),
            (([5], 4), "one item, absent", False),
            (([1, 3, 5, 7, 9], 1), "first item", False),
            (([1, 3, 5, 7, 9], 9), "last item", False),
            (([1, 3, 5, 7, 9], 0), "smaller than every item", False),
            (([1, 3, 5, 7, 9], 10), "larger than every item", False),
            (([-8, -3, 0, 0, 4], 0), "negative numbers and duplicates", False),
            (([1, 2, 2, 2, 2, 2, 3], 2), "a run of duplicates", False),
            (([1, 3, 3, 3, 5, 7], 3, 2, 5), "leftmost within the bounds", False),
            (([1, 3, 5, 7], 1, 1, 3), "outside the bounds", False),
            (([4] * 1_000, 4), "all equal", True),
            ((_EVENS, _EVENS[-1]), "deep: last of 100,000", True),
            ((_EVENS, 0), "deep: first of 100,000", True),
            ((_EVENS, 99_999), "deep: absent from 100,000", True),
            ((_HALVES, 1), "deep: 50,000 duplicates", True),
        ],
    ),
    limits=_BINARY_SEARCH_LIMITS,
    reference=binary_search,
    validate=_validate_binary_search,
    solution=(
        "def binary_search(arr, target, low=0, high=None):\n"
        "    if high is None:\n"
        "        high = len(arr) - 1\n"
        "    if low > high:\n"
        "        return -1\n"
        "    mid = (low + high) // 2\n"
        "    if arr[mid] < target:\n"
        "        return binary_search(arr, target, mid + 1, high)\n"
        "    if arr[mid] > target:\n"
        "        return binary_search(arr, target, low, mid - 1)\n"
        "    left = binary_search(arr, target, low, mid - 1)\n"
        "    return mid if left == -1 else left\n"
    ),
)

# --- reverse-string --------------------------------------------------------------------

_REVERSE_STRING_LIMITS = Limits()
_REVERSE_STRING = Kata(
    slug="reverse-string",
    title="Reverse a string",
    statement=(
        "# Reverse a string\n\n"
        "Write a recursive function `reverse_string(s)` that returns `s` reversed.\n\n"
        "## Constraints\n\n"
        f"- `s` has at most {STRING_MAX_LENGTH:,} characters; reverse code points "
        "(no need to keep combining accents attached to their letters).\n"
        "- The tests include a string of 50,000 characters, and Python's recursion "
        "limit here is 1,000: a recursion that removes one character per call cannot "
        "reach the bottom. Make the depth grow with the logarithm of the length "
        "instead, for example by reversing each half.\n\n" + _limits_note(_REVERSE_STRING_LIMITS)
    ),
    function_name="reverse_string",
    signature="def reverse_string(s: str) -> str:",
    examples=_cases(
        reverse_string,
        [(("hello",), "", False), (("",), "empty string", False), (("a",), "", False)],
    ),
    hidden_tests=_cases(
        reverse_string,
        [
            (("ab",), "", False),
            (("racecar",), "palindrome", False),
            (("Hello, World!",), "", False),
            (("  two  spaces  ",), "whitespace", False),
            (("añb → ✓",), "non-ASCII", False),
            (("🙂 x 🙃",), "outside the BMP", False),
            ((_letters(1_000, seed=1),), "1,000 characters", True),
            ((_letters(50_000, seed=2),), "deep: 50,000 characters", True),
            ((_letters(STRING_MAX_LENGTH, seed=3),), "deep: 100,000 characters", True),
        ],
    ),
    limits=_REVERSE_STRING_LIMITS,
    reference=reverse_string,
    validate=_validate_reverse_string,
    solution=(
        "def reverse_string(s: str) -> str:\n"
        "    if len(s) <= 1:\n"
        "        return s\n"
        "    mid = len(s) // 2\n"
        "    return reverse_string(s[mid:]) + reverse_string(s[:mid])\n"
    ),
)

# --- hanoi -----------------------------------------------------------------------------

_HANOI_LIMITS = Limits()
_HANOI = Kata(
    slug="hanoi",
    title="Tower of Hanoi",
    statement=(
        "# Tower of Hanoi\n\n"
        "Three pegs; `n` disks of different sizes start on `source`, largest at the "
        "bottom. Move them all to `target`, one disk at a time, never putting a disk on "
        "a smaller one, using `auxiliary` as the spare peg.\n\n"
        "Write a recursive function `hanoi(n, source='A', target='C', auxiliary='B')` "
        "that returns the moves of the shortest solution as a list of "
        "`(from_peg, to_peg)` pairs, in order.\n\n"
        "## Constraints\n\n"
        f"- 0 ≤ n ≤ {HANOI_MAX_N}; for n = 0 there is nothing to move.\n"
        "- The shortest solution has exactly 2^n - 1 moves, and there is only one.\n\n"
        + _limits_note(_HANOI_LIMITS)
    ),
    function_name="hanoi",
    signature=(
        "def hanoi(n: int, source: str = 'A', target: str = 'C', "
        "auxiliary: str = 'B') -> list[tuple[str, str]]:"
    ),
    examples=_cases(
        _hanoi_reference,
        [((0,), "nothing to move", False), ((1,), "", False), ((2,), "", False)],
    ),
    hidden_tests=_cases(
        _hanoi_reference,
        [((n,), f"{n} disks", n >= 3) for n in range(3, 11)]
        + [
            ((3, "left", "right", "middle"), "named pegs", True),
            ((HANOI_MAX_N,), "deep: 4,095 moves", True),
        ],
    ),
    limits=_HANOI_LIMITS,
    reference=_hanoi_reference,
    validate=_validate_hanoi,
    solution=(
        "def hanoi(n, source='A', target='C', auxiliary='B'):\n"
        "    if n == 0:\n"
        "        return []\n"
        "    return (\n"
        "        hanoi(n - 1, source, auxiliary, target)\n"
        "        + [(source, target)]\n"
        "        + hanoi(n - 1, auxiliary, target, source)\n"
        "    )\n"
    ),
)

KATAS: MappingProxyType[str, Kata] = MappingProxyType(
    {kata.slug: kata for kata in (_FACTORIAL, _FIBONACCI, _BINARY_SEARCH, _REVERSE_STRING, _HANOI)}
)


def get_kata(slug: str) -> Kata:
    """Return the kata with this slug; ``KeyError`` names the slugs that exist."""
    try:
        return KATAS[slug]
    except KeyError:
        raise KeyError(f"no kata {slug!r}; the katas are {', '.join(KATAS)}") from None
