"""Recursive binary search: the interview answer and the leftmost-match version.

Both take ``(arr, target, low=0, high=None)`` where ``arr`` is sorted ascending and the
search covers ``arr[low..high]`` with ``high`` inclusive (``None`` means the last index),
and return an index or -1. Each call halves the range: O(log n) comparisons and
recursion depth at most floor(log2 n) + 2 (18 for 100,000 items), far below Python's
recursion limit. Neither checks that ``arr`` is sorted: that would cost O(n) and defeat
the point of searching in O(log n).

``binary_search_recursive`` is the seed answer with default bounds: it returns *some*
index holding ``target``, whichever the probes hit first.

``binary_search`` is the production version: it validates the bounds and returns the
*leftmost* index holding ``target``, so the answer is unique when ``arr`` has
duplicates (the same contract as ``bisect.bisect_left`` plus an equality check). When
the middle element matches it keeps searching the left half, which is still one
recursive call per level, so the bounds above hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


T = TypeVar("T", bound=_Ordered)


def binary_search_recursive(
    arr: Sequence[T], target: T, low: int = 0, high: int | None = None
) -> int:
    """Return an index of ``target`` in sorted ``arr[low..high]``, or -1."""
    if high is None:
        high = len(arr) - 1
    if low > high:
        return -1
    mid = (low + high) // 2
    if arr[mid] == target:
        return mid
    if arr[mid] < target:
        return binary_search_recursive(arr, target, mid + 1, high)
    return binary_search_recursive(arr, target, low, mid - 1)


def binary_search(arr: Sequence[T], target: T, low: int = 0, high: int | None = None) -> int:
    """Return the leftmost index of ``target`` in sorted ``arr[low..high]``, or -1.

    ``low`` and ``high`` must lie in ``0..len(arr) - 1`` (``high`` may be ``low - 1``
    for an empty range); anything else is a ``ValueError`` rather than Python's
    silent negative indexing.
    """
    if high is None:
        high = len(arr) - 1
    if low < 0 or high >= len(arr) or high < low - 1:
        raise ValueError(
            f"bounds low={low}, high={high} are outside a sequence of length {len(arr)}"
        )
    return _leftmost(arr, target, low, high)


def _leftmost(arr: Sequence[T], target: T, low: int, high: int) -> int:
    if low > high:
        return -1
    mid = (low + high) // 2
    if arr[mid] < target:
        return _leftmost(arr, target, mid + 1, high)
    if target < arr[mid]:
        return _leftmost(arr, target, low, mid - 1)
    left = _leftmost(arr, target, low, mid - 1)
    return mid if left == -1 else left
