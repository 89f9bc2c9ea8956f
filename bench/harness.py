"""Shared pieces of the benchmarks: a throwaway PostgreSQL database, gunicorn, wrk.

Timings on a shared machine are only meaningful as ratios measured in the same run,
so every benchmark loads its targets interleaved, in several rounds, and compares
medians. CPU time per request is read from /proc for the gunicorn processes only,
which makes it insensitive to what wrk itself costs.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True, capture_output=True)


def bench_env(database: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    from rehearse.oauth.keys import rsa_private_key_pem

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(64),
        # Production settings insist on an ID token signing key; the benchmark signs none.
        "OIDC_RSA_PRIVATE_KEY": rsa_private_key_pem(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        "SECURE_SSL_REDIRECT": "false",
        # The throttles run (that cost is part of rehearse) but never trip.
        "THROTTLE_ANON_RATE": "100000000/min",
        "THROTTLE_USER_RATE": "100000000/min",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **(extra or {}),
    }


def prepare_database(database: str, env: dict[str, str]) -> None:
    psql(f"DROP DATABASE IF EXISTS {database}")
    psql(f"CREATE DATABASE {database}")
    run = [str(BIN / "rehearse")]
    subprocess.run(
        [*run, "migrate", "--noinput", "--verbosity", "0"], env=env, check=True, cwd=ROOT
    )
    files = sorted(str(path) for path in (ROOT / "content").glob("*.md"))
    subprocess.run(
        [*run, "import-questions", *files, "--verbosity", "0"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int = 2) -> Iterator[list[int]]:
    """Serve rehearse; yield the pids of the master and its workers."""
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        yield [process.pid, *children(process.pid)]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def cpu_seconds(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLOCK_TICKS


@dataclass
class Sample:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    cpu: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu / max(self.requests, 1)


def wrk(url: str, seconds: float, connections: int = 4, headers: Sequence[str] = ()) -> Sample:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{round(seconds)}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    match = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    if not match:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    unit = {"s": 1.0, "ms": 0.001, "m": 60.0}[match.group(3)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return Sample(
        requests=int(match.group(1)),
        seconds=float(match.group(2)) * unit,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        cpu=0.0,
    )


def measure(url: str, pids: Sequence[int], seconds: float) -> Sample:
    before = cpu_seconds(pids)
    sample = wrk(url, seconds)
    sample.cpu = cpu_seconds(pids) - before
    return sample


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def fetch_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return json.load(response)


@dataclass
class LoadSample:
    """One wrk run with its latency distribution."""

    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


_DURATION_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk_command(
    url: str,
    seconds: float,
    connections: int,
    threads: int = 1,
    headers: Sequence[str] = (),
) -> list[str]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{round(seconds)}s", "--latency"]
    # wrk's default of 2 s would count a slow response as an error, not as latency.
    command += ["--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    return [*command, url]


def parse_wrk_load(output: str) -> LoadSample:
    """wrk --latency's totals, errors and 50th/99th percentile latencies."""
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)[ \t]*$", output, re.MULTILINE))
    if not total or set(percentiles) != {"50", "99"}:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")

    def milliseconds(text: str) -> float:
        match = re.fullmatch(r"([\d.]+)(\w+)", text)
        if not match:
            raise RuntimeError(f"cannot read wrk's latency {text!r}")
        return float(match.group(1)) * _DURATION_UNITS[match.group(2)]

    unit = {"s": 1.0, "ms": 0.001, "m": 60.0}[total.group(3)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return LoadSample(
        requests=int(total.group(1)),
        seconds=float(total.group(2)) * unit,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        p50_ms=milliseconds(percentiles["50"]),
        p99_ms=milliseconds(percentiles["99"]),
    )


def wrk_together(commands: Sequence[Sequence[str]]) -> list[LoadSample]:
    """Run several wrk commands at once (to load several servers); one sample each."""
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for command in commands
    ]
    outputs = [process.communicate()[0] for process in processes]
    for process, output in zip(processes, outputs, strict=True):
        if process.returncode != 0:
            raise RuntimeError(f"wrk failed:\n{output}")
    return [parse_wrk_load(output) for output in outputs]


def tree_cpu_seconds(master: int) -> float:
    """CPU time of a process and its children so far, including children that exited.

    A child that exits (a gunicorn worker recycled after max_requests) and is reaped
    moves its time into the parent's cutime/cstime, so the total stays continuous.
    """

    def stat(pid: int) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    fields = stat(master)
    total = sum(int(fields[index]) for index in (11, 12, 13, 14))  # u, s, cu, cs time
    for child in children(master):
        try:
            fields = stat(child)
        except FileNotFoundError:  # exited between the listing and the read
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS
