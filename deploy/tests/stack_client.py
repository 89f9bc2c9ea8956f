"""What the stack tests share: where the stack is, an HTTP client, its logs, wrk.

The stack is the one deploy/local/stack.py starts; ports come from STACK_HTTP_PORT /
STACK_HTTPS_PORT / STACK_APP_PORTS (defaults 8080, 8443, 8101,8102) and files from
var/stack/, exactly as stack.py writes them.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "var" / "stack"
STACK_PY = REPO / "deploy" / "local" / "stack.py"
CA = STACK / "ca.pem"
LOGS = STACK / "logs"
RUN = STACK / "run"
STATIC_ROOT = STACK / "static"
HOST = "127.0.0.1"
HTTP_PORT = int(os.environ.get("STACK_HTTP_PORT", "8080"))
HTTPS_PORT = int(os.environ.get("STACK_HTTPS_PORT", "8443"))
APP_PORTS = [int(p) for p in os.environ.get("STACK_APP_PORTS", "8101,8102").split(",")]
ORIGIN = f"https://{HOST}:{HTTPS_PORT}"
API_PATH = "/api/v1/questions/"


class Response:
    """What a test needs from one HTTP exchange, with repeated headers kept apart."""

    def __init__(self, raw: http.client.HTTPResponse) -> None:
        self.status = raw.status
        self.header_list = raw.getheaders()
        self.body = raw.read()

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.header_list if key.lower() == name.lower()]

    def one(self, name: str) -> str:
        values = self.all(name)
        assert len(values) == 1, f"{name}: expected exactly one, got {values}"
        return values[0]

    def json(self) -> Any:
        return json.loads(self.body)


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(CA))
    # What Python 3.13 turns on by default: reject certificates missing the extensions
    # a CA must set (key usage, AKI, ...). The local CA has to pass it.
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    return context


def request(
    method: str,
    path: str,
    *,
    port: int = HTTPS_PORT,
    tls: bool = True,
    host: str = HOST,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    source_address: str | None = None,
) -> Response:
    """One request on a new connection. `host` is the name in TLS SNI and Host; the
    connection always goes to 127.0.0.1, from `source_address` if given (any 127/8
    address: a client nginx sees as another address)."""
    conn: http.client.HTTPConnection
    source = (source_address, 0) if source_address else None
    if tls:
        conn = http.client.HTTPSConnection(
            host, port, timeout=10, context=tls_context(), source_address=source
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=10, source_address=source)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        return Response(conn.getresponse())
    finally:
        conn.close()


def log_records(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.startswith("{")]


def gunicorn_records_with(request_id: str) -> dict[int, list[dict[str, Any]]]:
    """The gunicorn access-log records carrying request_id, per app server port."""
    # The log line is written after the response is sent: give it a moment.
    time.sleep(0.3)
    return {
        port: [
            record
            for record in log_records(LOGS / f"gunicorn-{port}.access.log")
            if record.get("request_id") == request_id
        ]
        for port in APP_PORTS
    }


def seen_by_the_app(response: Response) -> bool:
    records = gunicorn_records_with(response.one("X-Request-ID"))
    return any(records.values())


def require_stack() -> None:
    """Fail with what to do when the stack does not answer."""
    try:
        status = request("GET", "/healthz").status
    except (OSError, http.client.HTTPException) as exc:
        pytest.fail(f"the local stack does not answer on {ORIGIN} ({exc}): run `make stack`")
    assert status == 200


def stack_py(*args: str) -> str:
    """Run deploy/local/stack.py with this interpreter; return its output."""
    result = subprocess.run(
        [sys.executable, str(STACK_PY), *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def session_cookie(email: str) -> str:
    """A Cookie header value that signs `email` in (deploy/local/stack.py session)."""
    return stack_py("session", email).strip().splitlines()[-1]


def master_pid(port: int) -> int:
    return int((RUN / f"gunicorn-{port}.pid").read_text())


def worker_pids(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def wait_for_new_workers(master: int, old: set[int], timeout: float = 60) -> None:
    """After a HUP: every worker replaced, as many as before."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = worker_pids(master)
        if new and not new & old and len(new) == len(old):
            return
        time.sleep(0.2)
    raise AssertionError(f"gunicorn master {master} did not replace its workers")


def kill_app_server(port: int) -> int:
    """SIGKILL one gunicorn instance, master and workers at once, as a crash would."""
    master = master_pid(port)
    # stack.py starts each master in its own session: its process group is its own
    # pid and holds exactly its workers.
    assert os.getpgid(master) == master, "the master does not lead its own process group"
    os.killpg(master, signal.SIGKILL)
    return master


@dataclass
class WrkResult:
    requests: int
    non_2xx_3xx: int
    socket_errors: int
    output: str


def parse_wrk(output: str) -> WrkResult:
    total = re.search(r"(\d+) requests in ", output)
    assert total, f"cannot read wrk's output:\n{output}"
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests=int(total.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        output=output,
    )


def start_wrk(
    url: str, *, seconds: int, connections: int = 8, headers: Sequence[str] = ()
) -> subprocess.Popen[str]:
    """wrk in the background, bounded in time; read it with finish_wrk."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    return subprocess.Popen(
        [*command, url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish_wrk(process: subprocess.Popen[str]) -> WrkResult:
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    return parse_wrk(output)
