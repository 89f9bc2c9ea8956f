"""Tower of Hanoi: the interview answer and a lazy generator of moves.

Moving n disks takes exactly 2^n - 1 moves, and the optimal sequence is unique: move the
top n - 1 disks out of the way, move the largest disk, move the n - 1 disks back on top.
A move is a ``(from_peg, to_peg)`` pair; the disk moved is whichever is on top of
``from_peg``.

``hanoi_recursive`` is the seed answer reshaped to return its moves instead of printing
them, with its base case fixed: the seed stopped at n == 1, so n == 0 recursed until
``RecursionError``. It recurses n + 1 deep and builds the whole list: O(2^n) time and memory.

``hanoi_moves`` is the production version: it validates its input and yields moves one
at a time from an explicit stack, so memory is O(n) however many moves are consumed,
and each move costs O(1) amortized. (A recursive generator using ``yield from`` would be
just as lazy, but every move would be passed up through up to n suspended generators,
O(n) per move.)
"""

from __future__ import annotations

from collections.abc import Iterator

Move = tuple[str, str]


def hanoi_recursive(
    n: int, source: str = "A", target: str = "C", auxiliary: str = "B"
) -> list[Move]:
    """Return the moves that carry ``n`` disks from ``source`` to ``target``."""
    moves: list[Move] = []

    def solve(disks: int, src: str, dst: str, via: str) -> None:
        if disks <= 0:
            return
        solve(disks - 1, src, via, dst)
        moves.append((src, dst))  # where the seed printed "Move disk ... from ... to ..."
        solve(disks - 1, via, dst, src)

    solve(n, source, target, auxiliary)
    return moves


def hanoi_moves(
    n: int, source: str = "A", target: str = "C", auxiliary: str = "B"
) -> Iterator[Move]:
    """Yield the 2^n - 1 moves that carry ``n`` disks from ``source`` to ``target``."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"hanoi needs an int number of disks, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"the number of disks cannot be negative, got {n}")
    if len({source, target, auxiliary}) != 3:
        raise ValueError(f"the three pegs must differ, got {source!r}, {target!r}, {auxiliary!r}")
    return _moves(n, source, target, auxiliary)


def _moves(n: int, source: str, target: str, auxiliary: str) -> Iterator[Move]:
    if n == 0:
        return
    # The work still to do, next item last: (disks, from, to, via) is a subproblem, and
    # disks == 0 marks the single move of the disk on top of ``from``.
    stack: list[tuple[int, str, str, str]] = [(n, source, target, auxiliary)]
    while stack:
        disks, src, dst, via = stack.pop()
        if disks <= 1:
            yield src, dst
            continue
        stack.append((disks - 1, via, dst, src))
        stack.append((0, src, dst, via))
        stack.append((disks - 1, src, via, dst))
