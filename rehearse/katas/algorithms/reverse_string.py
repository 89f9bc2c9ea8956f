"""String reversal: the interview answer, a recursion that scales, and the one to ship.

``reverse_string_recursive`` is the seed answer, reverse(s) = reverse(s[1:]) + s[0]. It
recurses once per character, so it fails with ``RecursionError`` past about 1,000
characters, and every level copies the rest of the string (``s[1:]``) and builds a new
result, so it does Theta(n^2) character copies and holds Theta(n^2) bytes of slices at
its deepest point.

``reverse_string_halving`` stays recursive but splits the string in halves:
reverse(s) = reverse(right half) + reverse(left half). Depth is ceil(log2 n) + 1 (17 for
100,000 characters) and each level copies every character once, so it does
O(n log n) work. It is the shape the ``reverse-string`` kata asks for.

``reverse_string`` is the production version: ``s[::-1]`` is one linear pass in C with no
recursion at all. Like the others it reverses code points, not user-perceived
characters: a letter followed by a combining accent comes out as accent-then-letter.
"""

from __future__ import annotations


def reverse_string_recursive(s: str) -> str:
    """Return ``s`` reversed, peeling one character per call (depth len(s) + 1)."""
    if len(s) == 0:
        return s
    return reverse_string_recursive(s[1:]) + s[0]


def reverse_string_halving(s: str) -> str:
    """Return ``s`` reversed by reversing and swapping its halves (depth O(log n))."""
    if len(s) <= 1:
        return s
    mid = len(s) // 2
    return reverse_string_halving(s[mid:]) + reverse_string_halving(s[:mid])


def reverse_string(s: str) -> str:
    """Return ``s`` reversed in linear time, whatever its length."""
    if not isinstance(s, str):
        raise TypeError(f"reverse_string needs a str, got {type(s).__name__}")
    return s[::-1]
