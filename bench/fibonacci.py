"""Fast-doubling Fibonacci against the memoized recursion: how far and how fast each goes.

Run from the repository root: ``.venv/bin/python -m bench.fibonacci`` (a script, not a
test). It prints, for fast doubling, the time of F(10^6); for the memoized recursion,
the largest n it can reach two ways, with fast doubling's time for the same n:

1. Under the default recursion limit, in the main thread: the memoized recursion is one
   frame per k, so it stops just short of the limit (1,000 by default).
2. With the limit raised in a thread with a 1 GiB stack. In CPython 3.11 a Python call
   to a Python function does not grow the C stack, so depth is no longer what stops it:
   memory is. The memo keeps every F(k) for k <= n, and F(k) has about 0.694 k bits, so
   the table is quadratic in n: measured here, the peak is about 0.075 n^2 bytes, 750 MB
   at n = 10^5 and 75 GB at n = 10^6. The benchmark climbs a ladder of n and stops
   before that estimate passes ``--budget-mib``.

Times are the best of ``--repeat`` runs (the least disturbed by other load on a shared
machine); memory is the process's peak RSS after the run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import threading
import time
from collections.abc import Callable
from functools import partial

from rehearse.katas.algorithms.fibonacci import fibonacci, fibonacci_memoized

LADDER = (1_000, 3_000, 10_000, 30_000, 60_000, 100_000, 150_000, 200_000, 300_000)
BIG_STACK = 1 << 30
# Peak memory of the memoized run, measured here: about 0.075 n^2 bytes (the table's
# integers alone are about 0.046 n^2: 0.694 k bits each, stored 30 bits per 4 bytes).
PEAK_BYTES_PER_N_SQUARED = 0.075


def best_time(call: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def memo_bytes(n: int) -> float:
    """Estimated peak memory of the memoized recursion up to F(n)."""
    return PEAK_BYTES_PER_N_SQUARED * n * n


def in_big_thread(call: Callable[[], float], recursion_limit: int) -> float:
    """Run ``call`` in a thread with a 1 GiB stack and the given recursion limit."""
    result: list[float] = []

    def target() -> None:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(recursion_limit)
        try:
            result.append(call())
        finally:
            sys.setrecursionlimit(old)

    previous = threading.stack_size(BIG_STACK)
    try:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous)
    if not result:
        raise RuntimeError("the memoized run failed in its thread")
    return result[0]


def memoized_timer(n: int) -> Callable[[], float]:
    return partial(best_time, partial(fibonacci_memoized, n), 1)


def largest_under_default_limit() -> int:
    """The largest n the memoized recursion reaches without touching the limit."""
    n = sys.getrecursionlimit()
    while n > 0:
        try:
            fibonacci_memoized(n)
        except RecursionError:
            n -= 10
            continue
        return n
    return 0


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement")
    parser.add_argument(
        "--budget-mib", type=float, default=1024, help="memory the memo table may use"
    )
    options = parser.parse_args()

    million = best_time(lambda: fibonacci(10**6), options.repeat)
    print(f"fast doubling   F(1,000,000) ({fibonacci(10**6).bit_length():,} bits): {million:.4f} s")

    n_default = largest_under_default_limit()
    memo = best_time(lambda: fibonacci_memoized(n_default), options.repeat)
    doubling = best_time(lambda: fibonacci(n_default), options.repeat)
    print(
        f"memoized        F({n_default:,}), largest under the default recursion limit "
        f"({sys.getrecursionlimit():,}): {memo:.6f} s; fast doubling: {doubling:.6f} s"
    )

    budget = options.budget_mib * 1024 * 1024
    reached = 0
    for n in LADDER:
        if memo_bytes(n) > budget:
            break
        seconds = in_big_thread(memoized_timer(n), n + 100)
        reached = n
        doubling = best_time(partial(fibonacci, n), options.repeat)
        print(
            f"memoized        F({n:,}) with the limit raised: {seconds:.4f} s, "
            f"peak RSS {peak_rss_mib():,.0f} MiB; fast doubling: {doubling:.6f} s"
        )
    print(
        f"largest feasible memoized n within {options.budget_mib:,.0f} MiB: {reached:,} "
        f"(F(1,000,000) would need about {memo_bytes(10**6) / 2**30:,.0f} GiB)"
    )


if __name__ == "__main__":
    main()
