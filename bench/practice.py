"""Benchmark: due-queue and progress latency with 1,000 and with 100,000 cards per learner.

Usage: ``.venv/bin/python bench/practice.py [--requests 400] [--reuse-data]``
(needs PostgreSQL and Redis on 127.0.0.1). Results: docs/practice.md.

Method. One PostgreSQL database holds the bundled bank and two learners made by
``rehearse generate-practice-data`` (see its docstring for the shape of the data):
"small" with 1,000 cards and 10,000 review logs, "large" with 100,000 cards and
1,000,000 review logs. rehearse runs under gunicorn with production settings (two
sync workers, Redis cache); each learner is signed in with a session cookie. For
each endpoint the client sends ``--requests`` GETs per learner, one at a time (so a
latency is service time, not queueing), alternating small and large request by
request: this machine is shared, and whatever slows it down slows both learners'
samples alike, which keeps the ratio honest where blocks of load (wrk runs of a few
seconds each) drifted by 2x between runs. Each latency is measured by the client
from connecting to the last byte. The report is p50 and p99 per learner and the
large/small ratio of each; the target is a p50 ratio under 2 for 100x the data.
Mastery is cached per learner and day (rehearse/practice/progress_cache.py), so
those requests are cache hits; what a miss costs is measured apart, in-process.

Why a real server rather than Django's test client in-process: it measures what a
client sees (HTTP parsing, middleware, session and throttle lookups, JSON rendering,
the database round trips) in the production configuration, like
bench/question_list.py; the in-process client would leave the server out.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    BIN,
    ROOT,
    bench_env,
    fetch_json,
    free_port,
    gunicorn,
    prepare_database,
)

DATABASE = "rehearse_bench_practice"
LEARNERS = {"small": 1_000, "large": 100_000}
REVIEWS_PER_CARD = 10
ENDPOINTS = {
    "due queue": "/api/v1/practice/due/",
    "mastery": "/api/v1/practice/progress/topics/",
    "reviews/day": "/api/v1/practice/progress/activity/?days=30",
    "streak": "/api/v1/practice/progress/streak/",
    "forecast": "/api/v1/practice/progress/forecast/",
    "interviews": "/api/v1/practice/interviews/",
}
TARGET_RATIO = 2.0

SESSION_SNIPPET = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from rehearse.accounts.models import User
user = User.objects.get(email="{email}")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def throwaway_rsa_key() -> str:
    """Production settings insist on an OIDC signing key; the benchmark signs nothing."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def email(name: str) -> str:
    return f"bench-{name}@example.org"


def generate(env: dict[str, str]) -> None:
    for name, cards in LEARNERS.items():
        output = subprocess.run(
            [
                str(BIN / "rehearse"),
                "generate-practice-data",
                "--email",
                email(name),
                "--cards",
                str(cards),
                "--reviews-per-card",
                str(REVIEWS_PER_CARD),
                "--interviews",
                "100",
            ],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        print(output.strip())


def session_cookie(env: dict[str, str], name: str) -> str:
    key = subprocess.run(
        [str(BIN / "rehearse"), "shell", "-c", SESSION_SNIPPET.format(email=email(name))],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    return f"__Host-sessionid={key}"


COLD_MASTERY_SNIPPET = """
import statistics, time
from django.utils import timezone
from rehearse.accounts.models import User
from rehearse.practice import selectors
user = User.objects.get(email="{email}")
times = []
for _ in range({runs}):
    started = time.perf_counter()
    list(selectors.topic_mastery(user=user, at=timezone.now()))
    times.append(1000 * (time.perf_counter() - started))
times.sort()
print(statistics.median(times), times[int(0.99 * (len(times) - 1))])
"""


def cold_mastery(env: dict[str, str], name: str, runs: int = 21) -> dict[str, float]:
    """The uncached mastery query (a cache miss), timed in-process: p50 and p99 in ms."""
    output = subprocess.run(
        [
            str(BIN / "rehearse"),
            "shell",
            "-c",
            COLD_MASTERY_SNIPPET.format(email=email(name), runs=runs),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return {"p50": float(output[-2]), "p99": float(output[-1])}


def timed_get(host: str, port: int, path: str, cookie: str) -> float:
    """One GET on a fresh connection (gunicorn's sync workers close each one): ms."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    elapsed = 1000 * (time.perf_counter() - started)
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    return elapsed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(host: str, port: int, path: str, cookies: dict[str, str], pairs: int) -> dict[str, Any]:
    """``pairs`` requests per learner, alternating learners request by request."""
    samples: dict[str, list[float]] = {name: [] for name in cookies}
    names = list(cookies)
    for index in range(pairs):
        for name in names if index % 2 == 0 else reversed(names):
            samples[name].append(timed_get(host, port, path, cookies[name]))
    return {
        name: {"p50": percentile(values, 0.5), "p99": percentile(values, 0.99), "n": len(values)}
        for name, values in samples.items()
    }


def check_served(base: str, cookies: dict[str, str]) -> None:
    """Every endpoint answers 200 for both learners, and the queue is not empty."""
    for name, cookie in cookies.items():
        for path in ENDPOINTS.values():
            request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                body = json.load(response)
            if path.endswith("/due/"):
                assert len(body["results"]) == 20, (name, body)
    assert fetch_json(base + "/healthz") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="per learner and endpoint")
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/practice.json")
    parser.add_argument("--reuse-data", action="store_true", help="skip creating the data")
    args = parser.parse_args()

    env = bench_env(DATABASE, {"OIDC_RSA_PRIVATE_KEY": throwaway_rsa_key()})
    if args.reuse_data:
        subprocess.run(
            [str(BIN / "rehearse"), "migrate", "--noinput", "--verbosity", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
    else:
        prepare_database(DATABASE, env)
        generate(env)
    cookies = {name: session_cookie(env, name) for name in LEARNERS}
    port = free_port()
    results: dict[str, dict[str, Any]] = {}
    with gunicorn(env, port):
        check_served(f"http://127.0.0.1:{port}", cookies)
        for path in ENDPOINTS.values():  # warm-up: imports, connections, caches
            measure("127.0.0.1", port, path, cookies, 20)
        for endpoint, path in ENDPOINTS.items():
            results[endpoint] = measure("127.0.0.1", port, path, cookies, args.requests)

    summary: dict[str, dict[str, float]] = {}
    print(
        f"\n{'endpoint':<12} {'small p50':>10} {'p99':>8} {'large p50':>10} {'p99':>8} "
        f"{'p50 ratio':>10} {'p99 ratio':>10}  (ms; {LEARNERS['large'] // LEARNERS['small']}x data)"
    )
    for endpoint, by_learner in results.items():
        row = {
            f"{name}_{stat}": by_learner[name][stat] for name in LEARNERS for stat in ("p50", "p99")
        }
        row["p50_ratio"] = row["large_p50"] / row["small_p50"]
        row["p99_ratio"] = row["large_p99"] / row["small_p99"]
        summary[endpoint] = row
        verdict = "ok" if row["p50_ratio"] < TARGET_RATIO else f"over {TARGET_RATIO:g}x"
        print(
            f"{endpoint:<12} {row['small_p50']:>10.2f} {row['small_p99']:>8.2f} "
            f"{row['large_p50']:>10.2f} {row['large_p99']:>8.2f} "
            f"{row['p50_ratio']:>9.2f}x {row['p99_ratio']:>9.2f}x  {verdict}"
        )
    # Mastery is served from the cache after the first request of the learner's day
    # (and after each change to their cards); what a cache miss costs:
    cold = {name: cold_mastery(env, name) for name in LEARNERS}
    summary["mastery (cache miss, SQL only)"] = {
        **{f"{name}_{stat}": cold[name][stat] for name in LEARNERS for stat in ("p50", "p99")},
        "p50_ratio": cold["large"]["p50"] / cold["small"]["p50"],
        "p99_ratio": cold["large"]["p99"] / cold["small"]["p99"],
    }
    row = summary["mastery (cache miss, SQL only)"]
    print(
        f"{'mastery, cache miss (SQL only, in-process)':<44} small p50 {row['small_p50']:.2f} "
        f"p99 {row['small_p99']:.2f}, large p50 {row['large_p50']:.2f} p99 "
        f"{row['large_p99']:.2f}, p50 ratio {row['p50_ratio']:.1f}x"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
