"""Benchmark: rehearse's question list against a plain Django view and textbook DRF.

Usage: ``.venv/bin/python bench/question_list.py [--rounds 5] [--seconds 4]``
(needs PostgreSQL and Redis on 127.0.0.1, and wrk). Serves all three under one
gunicorn with production settings, from one database holding the bundled bank,
loads them interleaved, and prints requests/second, CPU ms per request and the
ratios to the plain view. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    bench_env,
    fetch_json,
    free_port,
    gunicorn,
    measure,
    median,
    prepare_database,
    wrk,
)

TARGETS = {
    "plain": "/bench/plain/",
    "rehearse": "/api/v1/questions/",
    "textbook": "/bench/textbook/?page=1",
}


def check_same_page(base: str) -> None:
    """All three must serve the same 20 questions with the same fields."""
    pages = {name: fetch_json(base + path) for name, path in TARGETS.items()}
    results = {name: page["results"] for name, page in pages.items()}  # type: ignore[index]
    ids = {name: [row["id"] for row in rows] for name, rows in results.items()}
    assert len(ids["rehearse"]) == 20, ids
    assert ids["plain"] == ids["rehearse"] == ids["textbook"], ids
    keys = {name: sorted(rows[0]) for name, rows in results.items()}
    assert keys["plain"] == keys["rehearse"] == keys["textbook"], keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/question_list.json")
    args = parser.parse_args()

    env = bench_env("rehearse_bench")
    prepare_database("rehearse_bench", env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with gunicorn(env, port) as pids:
        check_same_page(base)
        for path in TARGETS.values():  # warm-up: imports, connections, caches
            wrk(base + path, 2)
        samples: dict[str, list] = {name: [] for name in TARGETS}
        for round_number in range(args.rounds):
            order = list(TARGETS) if round_number % 2 == 0 else list(reversed(TARGETS))
            for name in order:
                sample = measure(base + TARGETS[name], pids, args.seconds)
                if sample.non_2xx or sample.socket_errors:
                    raise SystemExit(f"{name}: failed requests during the run: {sample}")
                samples[name].append(sample)

    summary = {
        name: {
            "rps": median([s.rps for s in rows]),
            "cpu_ms_per_request": median([s.cpu_ms_per_request for s in rows]),
        }
        for name, rows in samples.items()
    }
    plain = summary["plain"]
    print(
        f"{'target':<10} {'req/s':>8} {'CPU ms/req':>11} {'cost vs plain':>14} {'rps vs plain':>13}"
    )
    for name, row in summary.items():
        row["cost_ratio"] = row["cpu_ms_per_request"] / plain["cpu_ms_per_request"]
        row["throughput_ratio"] = row["rps"] / plain["rps"]
        print(
            f"{name:<10} {row['rps']:>8.0f} {row['cpu_ms_per_request']:>11.2f} "
            f"{row['cost_ratio']:>13.2f}x {row['throughput_ratio']:>12.2f}x"
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
