"""Benchmark: the production stack beside its ceiling (static files) and its app servers.

Usage: ``.venv/bin/python bench/stack.py [--rounds 3] [--seconds 5] [--connections 16]``
(needs nginx, wrk, PostgreSQL and Redis; starts the local stack with
``deploy/local/stack.py up`` if it is not up, and leaves it running).

Three targets: the anonymous question list, one question, and the list as a signed-in
user (a session cookie: it bypasses nginx's cache, as every personal read does). Each
is loaded three ways, interleaved in every round:

- stack:  https://127.0.0.1:8443 through nginx (TLS 1.3, HTTP/1.1 keep-alive);
- static: the same bytes written to a file under STATIC_ROOT, served by nginx over the
  same TLS: the ceiling, what nginx does when no app server is involved;
- direct: plain HTTP straight to both gunicorn instances at once (one wrk each, half
  the connections each: the same app capacity nginx balances over), with the headers
  nginx would add (Host, X-Forwarded-Proto: https): what the proxy and TLS cost.

It prints requests/second, p50 and p99 latency, the CPU time per request of nginx and
of the app servers (from /proc, wrk's own excluded), how many requests reached an app
server, and every ratio, each the median of the rounds' ratios (a round's runs are
back to back); results go to bench/results/stack.json. Numbers and their reading:
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import subprocess
import sys
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    LoadSample,
    median,
    tree_cpu_seconds,
    wrk_command,
    wrk_together,
)

STACK = ROOT / "var" / "stack"
STACK_PY = ROOT / "deploy" / "local" / "stack.py"
HTTPS_PORT = int(os.environ.get("STACK_HTTPS_PORT", "8443"))
APP_PORTS = [int(p) for p in os.environ.get("STACK_APP_PORTS", "8101,8102").split(",")]
ORIGIN = f"https://127.0.0.1:{HTTPS_PORT}"
STATIC_DIR = STACK / "static" / "bench"
# The order of a round: the stack's run sits between the two it is compared with.
MODES = ("static", "stack", "direct")


@dataclass
class Target:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    static_name: str = ""


def stack_py(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(STACK_PY), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"stack.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def fetch(url: str, headers: dict[str, str]) -> bytes:
    context = ssl.create_default_context(cafile=str(STACK / "ca.pem"))
    http_request = urllib.request.Request(url, headers=headers)  # noqa: S310 - ours
    with urllib.request.urlopen(http_request, timeout=30, context=context) as response:  # noqa: S310
        return bytes(response.read())


def same_page(one: bytes, other: bytes) -> bool:
    """Equal bodies, allowing for the cursors in `next`/`previous` links: they are signed
    with a timestamp, so two fetches a second apart differ in a few bytes, not in size."""

    def without_links(body: bytes) -> object:
        page = json.loads(body)
        if isinstance(page, dict):
            page.pop("next", None)
            page.pop("previous", None)
        return page

    return len(one) == len(other) and without_links(one) == without_links(other)


def direct_headers(target: Target) -> dict[str, str]:
    """What nginx would send the app server for this request."""
    return {
        **target.headers,
        "Host": f"127.0.0.1:{HTTPS_PORT}",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
    }


def prepare(targets: list[Target]) -> None:
    """Write each target's body as a static file; check all three ways serve the same."""
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    for target in targets:
        body = fetch(ORIGIN + target.path, target.headers)
        target.static_name = f"{target.name}.json"
        (STATIC_DIR / target.static_name).write_bytes(body)
        same = {
            "static": fetch(f"{ORIGIN}/static/bench/{target.static_name}", {}),
            **{
                f"direct :{port}": fetch(
                    f"http://127.0.0.1:{port}{target.path}", direct_headers(target)
                )
                for port in APP_PORTS
            },
        }
        for way, other in same.items():
            if not same_page(other, body):
                raise SystemExit(f"{target.name}: {way} serves other bytes than the stack")
        print(f"{target.name}: {target.path} ({len(body):,} bytes)")


def commands(target: Target, mode: str, seconds: float, connections: int) -> list[list[str]]:
    def header_lines(headers: dict[str, str]) -> list[str]:
        return [f"{name}: {value}" for name, value in headers.items()]

    if mode == "stack":
        return [
            wrk_command(ORIGIN + target.path, seconds, connections, 2, header_lines(target.headers))
        ]
    if mode == "static":
        url = f"{ORIGIN}/static/bench/{target.static_name}"
        return [wrk_command(url, seconds, connections, 2)]
    share = max(1, connections // len(APP_PORTS))
    return [
        wrk_command(
            f"http://127.0.0.1:{port}{target.path}",
            seconds,
            share,
            1,
            header_lines(direct_headers(target)),
        )
        for port in APP_PORTS
    ]


def cpu() -> tuple[float, float]:
    """CPU seconds so far of nginx, and of the app servers (masters and workers)."""
    run = STACK / "run"
    nginx = tree_cpu_seconds(int((run / "nginx.pid").read_text()))
    app = sum(
        tree_cpu_seconds(int((run / f"gunicorn-{port}.pid").read_text())) for port in APP_PORTS
    )
    return nginx, app


def app_requests() -> int:
    """Requests the app servers have logged so far."""
    total = 0
    for port in APP_PORTS:
        with (STACK / "logs" / f"gunicorn-{port}.access.log").open("rb") as log:
            total += sum(1 for _ in log)
    return total


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    nginx_cpu_ms: float
    app_cpu_ms: float
    reached_app: float


def measure(target: Target, mode: str, seconds: float, connections: int) -> Run:
    (nginx_before, app_cpu_before), app_before = cpu(), app_requests()
    samples: list[LoadSample] = wrk_together(commands(target, mode, seconds, connections))
    nginx_after, app_cpu_after = cpu()
    reached = app_requests() - app_before
    for sample in samples:
        if sample.non_2xx or sample.socket_errors:
            raise SystemExit(f"{target.name} ({mode}): failed requests: {sample}")
    requests = sum(sample.requests for sample in samples)
    return Run(
        rps=sum(sample.rps for sample in samples),
        # Two wrk processes (direct): the slower one's percentiles, to err against
        # the app servers' side of the comparison rather than for it.
        p50_ms=max(sample.p50_ms for sample in samples),
        p99_ms=max(sample.p99_ms for sample in samples),
        nginx_cpu_ms=1000 * (nginx_after - nginx_before) / max(requests, 1),
        app_cpu_ms=1000 * (app_cpu_after - app_cpu_before) / max(requests, 1),
        # Approximate: the app also logs the requests still in flight when wrk stops.
        reached_app=reached / max(requests, 1),
    )


def summarise(runs: Sequence[Run]) -> dict[str, float]:
    return {
        "rps": median([run.rps for run in runs]),
        "p50_ms": median([run.p50_ms for run in runs]),
        "p99_ms": median([run.p99_ms for run in runs]),
        "nginx_cpu_ms_per_request": median([run.nginx_cpu_ms for run in runs]),
        "app_cpu_ms_per_request": median([run.app_cpu_ms for run in runs]),
        "reached_app": median([run.reached_app for run in runs]),
    }


def ratio(runs: dict[str, list[Run]], top: str, bottom: str) -> float:
    """Median over rounds of one round's throughput ratio: the two runs of a round are
    back to back, so they share whatever else the machine was doing then."""
    return median([a.rps / b.rps for a, b in zip(runs[top], runs[bottom], strict=True)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/stack.json")
    args = parser.parse_args()

    print(stack_py("up").strip())
    cookie = stack_py("session", "bench@example.org").strip().splitlines()[-1]
    first = json.loads(fetch(f"{ORIGIN}/api/v1/questions/", {}))["results"][0]["id"]
    targets = [
        Target("anonymous-list", "/api/v1/questions/"),
        Target("question-detail", f"/api/v1/questions/{first}/"),
        Target("signed-in-list", "/api/v1/questions/", {"Cookie": cookie}),
    ]
    prepare(targets)

    for target in targets:  # warm-up: connections, caches, every worker's imports
        for mode in MODES:
            measure(target, mode, 2, args.connections)
    runs: dict[tuple[str, str], list[Run]] = {(t.name, m): [] for t in targets for m in MODES}
    plan = [(target, mode) for target in targets for mode in MODES]
    for round_number in range(args.rounds):
        for target, mode in plan if round_number % 2 == 0 else reversed(plan):
            runs[target.name, mode].append(measure(target, mode, args.seconds, args.connections))
        print(f"round {round_number + 1}/{args.rounds} done")

    results: dict[str, dict[str, object]] = {}
    print(
        f"\n{'target':<16} {'way':<7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'nginx CPU ms/req':>17} {'app CPU ms/req':>15} {'reached app':>12}"
    )
    for target in targets:
        by_mode = {mode: runs[target.name, mode] for mode in MODES}
        summary = {mode: summarise(by_mode[mode]) for mode in ("stack", "static", "direct")}
        for mode, row in summary.items():
            print(
                f"{target.name:<16} {mode:<7} {row['rps']:>8.0f} {row['p50_ms']:>8.2f} "
                f"{row['p99_ms']:>8.2f} {row['nginx_cpu_ms_per_request']:>17.3f} "
                f"{row['app_cpu_ms_per_request']:>15.2f} {row['reached_app']:>11.1%}"
            )
        ratios = {
            "stack_vs_static": ratio(by_mode, "stack", "static"),
            "stack_vs_direct": ratio(by_mode, "stack", "direct"),
            "direct_vs_static": ratio(by_mode, "direct", "static"),
            "per_round_stack_vs_direct": [
                round(a.rps / b.rps, 3)
                for a, b in zip(by_mode["stack"], by_mode["direct"], strict=True)
            ],
            "per_round_stack_vs_static": [
                round(a.rps / b.rps, 3)
                for a, b in zip(by_mode["stack"], by_mode["static"], strict=True)
            ],
        }
        print(
            f"{'':<16} stack/static {ratios['stack_vs_static']:.3f}x "
            f"{ratios['per_round_stack_vs_static']}, "
            f"stack/direct {ratios['stack_vs_direct']:.3f}x "
            f"{ratios['per_round_stack_vs_direct']}, "
            f"direct/static {ratios['direct_vs_static']:.4f}x"
        )
        results[target.name] = {
            "path": target.path,
            "bytes": (STATIC_DIR / target.static_name).stat().st_size,
            **summary,
            **ratios,
        }
    results["settings"] = {
        "rounds": args.rounds,
        "seconds": args.seconds,
        "connections": args.connections,
        "cores": len(os.sched_getaffinity(0)),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
