"""Fibonacci numbers three ways: naive, memoized, and fast doubling.

``fibonacci_recursive`` is the interview answer, F(n) = F(n - 1) + F(n - 2). It
recomputes the same subproblems: the number of calls is 2 * F(n + 1) - 1, which grows
like phi^n (about 1.6^n), so n = 35 already takes seconds. Depth is n.

``fibonacci_memoized`` keeps each F(k) once computed: n + 1 distinct calls, O(n)
additions, but still one stack frame per k, so recursion depth is n and Python's
recursion limit (1,000 by default) caps it unless the limit and the thread's stack are
raised.

``fibonacci`` is the production version, fast doubling:
F(2k) = F(k) * (2 * F(k + 1) - F(k)) and F(2k + 1) = F(k)^2 + F(k + 1)^2. Each step
halves n, so it does O(log n) big-integer multiplications and recurses only
floor(log2 n) + 1 deep (21 frames for n = 10^6). The numbers themselves have about
0.694 * n bits, so wall time is dominated by the last few multiplications; see
``bench/fibonacci.py`` and ``docs/katas.md`` for measured figures.
"""

from __future__ import annotations


def _check_index(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"fibonacci needs an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"fibonacci is not defined for negative indexes, got {n}")


def fibonacci_recursive(n: int) -> int:
    """Return F(n) by the naive double recursion (exponential time, depth n).

    The seed answer returned n itself for every n <= 1, so F(-3) came out as -3; a
    negative index is now a ``ValueError``.
    """
    if n < 0:
        raise ValueError(f"fibonacci is not defined for negative indexes, got {n}")
    if n <= 1:
        return n
    return fibonacci_recursive(n - 1) + fibonacci_recursive(n - 2)


def fibonacci_memoized(n: int) -> int:
    """Return F(n) by recursion over a memo table: O(n) additions, depth n."""
    _check_index(n)
    # A table per call, not a module-level cache: memory is freed when the call ends.
    memo: dict[int, int] = {0: 0, 1: 1}

    def go(k: int) -> int:
        if k not in memo:
            memo[k] = go(k - 1) + go(k - 2)
        return memo[k]

    return go(n)


def fibonacci(n: int) -> int:
    """Return F(n) by fast doubling: O(log n) multiplications, depth O(log n)."""
    _check_index(n)
    return _fib_pair(n)[0]


def _fib_pair(n: int) -> tuple[int, int]:
    """Return (F(n), F(n + 1))."""
    if n == 0:
        return 0, 1
    a, b = _fib_pair(n >> 1)  # a = F(k), b = F(k + 1) with k = n // 2
    c = a * ((b << 1) - a)  # F(2k)
    d = a * a + b * b  # F(2k + 1)
    if n & 1:
        return d, c + d
    return c, d
