"""Factorial: the interview answer and the version to ship.

``factorial_recursive`` is the textbook answer: n! = n * (n - 1)!, one call per factor.
It does n multiplications and recurses n deep, so Python's recursion limit (1,000 by
default) caps the n it can answer.

``factorial`` is the production version. It validates its input (a non-integer is a
``TypeError``, a negative integer a ``ValueError``) and multiplies by binary splitting:
the product of ``lo..hi`` is the product of its two halves. That is still recursive, but
the depth is only about log2(n) (about 11 for n = 2,000 and 20 for n = 10^6), so no n
overflows the stack, and multiplying numbers of similar size lets CPython's Karatsuba
multiplication do the heavy lifting. Time: O(M(n log n) log n) for M(b) the cost of
multiplying b-bit numbers, versus Theta(n) multiplications of ever-growing numbers for
the sequential product. In real code, ``math.factorial`` does the same in C.
"""

from __future__ import annotations

# Below this many factors, a plain loop beats the call overhead of splitting further.
_LEAF_FACTORS = 16


def factorial_recursive(n: int) -> int:
    """Return n! by the one-factor-per-call recursion an interview answer writes.

    The seed answer recursed forever on a negative n (it only stopped at 0); that
    case is now a clear ``ValueError``. Recursion depth is n + 1.
    """
    if n < 0:
        raise ValueError(f"factorial is not defined for negative numbers, got {n}")
    if n == 0:
        return 1
    return n * factorial_recursive(n - 1)


def factorial(n: int) -> int:
    """Return n! for a non-negative integer, with recursion depth O(log n)."""
    if isinstance(n, bool) or not isinstance(n, int):
        # bool is an int subclass; factorial(True) is almost certainly a bug upstream.
        raise TypeError(f"factorial needs an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"factorial is not defined for negative numbers, got {n}")
    if n < 2:
        return 1
    return _product(2, n)


def _product(lo: int, hi: int) -> int:
    """Return lo * (lo + 1) * ... * hi for lo <= hi, splitting the range in halves."""
    if hi - lo < _LEAF_FACTORS:
        result = lo
        for factor in range(lo + 1, hi + 1):
            result *= factor
        return result
    mid = (lo + hi) // 2
    return _product(lo, mid) * _product(mid + 1, hi)
