"""Bounded grading: host-wide slots, refusals when they are taken, and a burst on gunicorn.

The slots are lock files with ``flock``; the tests hold them from this process, from
threads and from another process, and check that a dead holder frees its slot. The last
test starts a real gunicorn with production settings, fires twenty submissions at it at
once (correct ones and infinite loops), and checks that every one is graded or cleanly
refused, that nothing hangs, and that the server is healthy afterwards.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings as django_settings
from psycopg.conninfo import make_conninfo
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.katas.catalog import KATAS
from rehearse.katas.models import Submission
from rehearse.katas.services import BUSY_RETRY_AFTER_SECONDS
from rehearse.katas.slots import NoFreeSlot, acquire_slot
from rehearse.oauth.keys import rsa_private_key_pem

REPO = Path(__file__).resolve().parents[3]
FACTORIAL = KATAS["factorial"]
CORRECT = FACTORIAL.solution
INFINITE_LOOP = "def factorial(n):\n    while True:\n        pass\n"
URL = "/api/v1/katas/factorial/submissions/"


@pytest.fixture
def slot_dir(settings: Any, tmp_path: Path) -> Path:
    settings.GRADER_SLOT_DIR = tmp_path / "grader-slots"
    settings.GRADER_MAX_CONCURRENT = 1
    return Path(settings.GRADER_SLOT_DIR)


@pytest.fixture
def api(db: None) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.create_user("ada@example.org", "long enough pass"))
    return client


# -- the slots -------------------------------------------------------------------------


def test_there_are_exactly_as_many_slots_as_configured(tmp_path: Path) -> None:
    first = acquire_slot(directory=tmp_path, count=2)
    second = acquire_slot(directory=tmp_path, count=2)
    assert {first.index, second.index} == {0, 1}
    with pytest.raises(NoFreeSlot, match="all 2 grading slots are in use"):
        acquire_slot(directory=tmp_path, count=2)
    first.release()
    with acquire_slot(directory=tmp_path, count=2) as third:
        assert third.index == first.index
    second.release()
    second.release()  # releasing twice is harmless


def test_threads_of_one_process_exclude_each_other(tmp_path: Path) -> None:
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    held = threading.Event()

    def contend() -> None:
        barrier.wait(timeout=10)
        try:
            slot = acquire_slot(directory=tmp_path, count=1)
        except NoFreeSlot:
            outcomes.append("refused")
            return
        outcomes.append("held")
        held.wait(timeout=10)
        slot.release()

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(outcomes) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    held.set()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(outcomes) == ["held"] + ["refused"] * 7


HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_another_process_holds_a_slot_until_it_dies(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "slot-0.lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(NoFreeSlot):
            acquire_slot(directory=tmp_path, count=1)
        holder.send_signal(signal.SIGKILL)  # dies holding it: no chance to clean up
        holder.wait(timeout=10)
        with acquire_slot(directory=tmp_path, count=1) as slot:
            assert slot.index == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()


def test_the_slot_directory_is_created_private(tmp_path: Path) -> None:
    directory = tmp_path / "a" / "b"
    with acquire_slot(directory=directory, count=1):
        assert directory.stat().st_mode & 0o777 == 0o700


def test_a_count_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        acquire_slot(directory=tmp_path, count=0)


# -- the API with its slots taken ------------------------------------------------------


def test_a_submission_with_every_slot_taken_is_a_503_with_retry_after(
    api: APIClient, slot_dir: Path
) -> None:
    with acquire_slot(directory=slot_dir, count=1):
        response = api.post(URL, {"code": CORRECT}, format="json")
        assert response.status_code == 503, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response["Retry-After"] == str(BUSY_RETRY_AFTER_SECONDS)
        body = response.json()
        assert body["type"] == "/problems/grader-busy"
        assert "all 1 grading slots are in use" in body["detail"]
        assert not Submission.objects.exists()
    response = api.post(URL, {"code": CORRECT}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["verdict"] == "passed"


def test_a_refused_grading_gives_its_slot_back(
    api: APIClient, slot_dir: Path, settings: Any
) -> None:
    settings.GRADER_BWRAP = str(slot_dir / "no-bwrap-here")
    for _ in range(2):
        response = api.post(URL, {"code": CORRECT}, format="json")
        assert response.status_code == 503
        assert response.json()["type"] == "/problems/sandbox-unavailable"
    with acquire_slot(directory=slot_dir, count=1):
        pass
    assert not Submission.objects.exists()


# -- twenty at once on a real gunicorn ---------------------------------------------------

BURST = 20
CLIENT_TIMEOUT = 40.0  # seconds one request may take before the test calls it hung
BURST_DEADLINE = 50.0  # seconds for the whole burst
PASSWORD = "a sufficiently long passphrase"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    seconds: float


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Answer:
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310 - loopback URL built here
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=CLIENT_TIMEOUT) as response:  # noqa: S310
            status, answer_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, dict(error.headers), error.read()
    parsed = json.loads(raw) if raw else None
    return Answer(status, answer_headers, parsed, time.monotonic() - started)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server_database(tmp_path: Path) -> Iterator[str]:
    """A database of the server's own: PostgreSQL on the PostgreSQL pass, else SQLite."""
    config = django_settings.DATABASES["default"]
    if config["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    name = f"rehearse_katas_gunicorn_{secrets.token_hex(4)}"
    user, host, port = config["USER"], config["HOST"] or "127.0.0.1", config["PORT"] or 5432
    password = config.get("PASSWORD") or ""
    admin = make_conninfo(host=host, port=port, user=user, password=password, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        credentials = f"{user}:{password}" if password else user
        yield f"postgres://{credentials}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def gunicorn(tmp_path: Path, server_database: str) -> Iterator[tuple[str, Path]]:
    """gunicorn with production settings, 2 gthread workers, 2 grading slots; its URL."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "OIDC_RSA_PRIVATE_KEY": rsa_private_key_pem(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": server_database,
        "SECURE_SSL_REDIRECT": "false",
        "REHEARSE_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "CACHE_KEY_PREFIX": f"katas-burst-{secrets.token_hex(4)}",
        "THROTTLE_ANON_RATE": "100000/min",
        "THROTTLE_USER_RATE": "100000/min",
        "THROTTLE_REGISTER_RATE": "100000/min",
        "THROTTLE_TOKEN_RATE": "100000/min",
        "GRADER_MAX_CONCURRENT": "2",
        "GRADER_SLOT_DIR": str(tmp_path / "grader-slots"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_WORKER_CLASS": "gthread",
        "GUNICORN_THREADS": "4",
        "GUNICORN_TIMEOUT": "30",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_ACCESSLOG": "-",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("GUNICORN_CONTROL_SOCKET", None)
    migrate = subprocess.run(
        [sys.executable, "-m", "rehearse", "migrate", "--noinput", "--verbosity", "0"],
        env=env,
        cwd=REPO,
        timeout=120,
        capture_output=True,
        text=True,
    )
    if migrate.returncode != 0:
        pytest.fail(f"migrating the server's database failed:\n{migrate.stderr[-3000:]}")
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{log_path.read_text()}")
            try:
                if call(base, "GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer in 30 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield base, log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def test_twenty_submissions_at_once_are_graded_or_cleanly_refused(
    gunicorn: tuple[str, Path],
) -> None:
    """Which submissions of the burst get the two slots is up to the scheduler; each one
    is graded (correct: passed, infinite loop: timeout) or refused with Retry-After."""
    base, log_path = gunicorn
    started = time.monotonic()
    credentials = {"email": "burst@example.org", "password": PASSWORD}
    assert call(base, "POST", "/api/v1/auth/register/", credentials).status == 201
    token = call(base, "POST", "/api/v1/auth/token/", credentials).body["access"]

    codes = [INFINITE_LOOP if index % 2 else CORRECT for index in range(BURST)]
    barrier = threading.Barrier(BURST)

    def submit(code: str) -> Answer:
        barrier.wait(timeout=10)
        return call(base, "POST", URL, {"code": code}, token)

    burst_started = time.monotonic()
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        answers = list(pool.map(submit, codes, timeout=BURST_DEADLINE))
    burst_seconds = time.monotonic() - burst_started

    graded = 0
    for code, answer in zip(codes, answers, strict=True):
        assert answer.status in (201, 429, 503), (answer.status, answer.body)
        assert answer.seconds < CLIENT_TIMEOUT
        if answer.status == 201:
            graded += 1
            expected = "passed" if code == CORRECT else "timeout"
            assert answer.body["verdict"] == expected, answer.body["message"]
        else:
            assert int(answer.headers["Retry-After"]) >= 1
            assert answer.body["status"] == answer.status
            if answer.status == 503:
                assert answer.body["type"] == "/problems/grader-busy"
    assert graded >= 1
    assert burst_seconds < BURST_DEADLINE

    # Hanging code in every slot: the workers still answer health checks at once, and
    # more submissions are refused at once instead of queueing behind the hang.
    hanging: list[Answer] = []

    def hang() -> None:
        deadline = time.monotonic() + 10
        while True:
            answer = call(base, "POST", URL, {"code": INFINITE_LOOP}, token)
            if answer.status != 503 or time.monotonic() > deadline:
                hanging.append(answer)
                return
            time.sleep(0.1)

    hangers = [threading.Thread(target=hang) for _ in range(2)]
    for thread in hangers:
        thread.start()
    probe_deadline = time.monotonic() + 15
    while True:  # until a probe finds both slots taken (only the hangers can take them)
        probe = call(base, "POST", URL, {"code": CORRECT}, token)
        if probe.status == 503:
            break
        assert time.monotonic() < probe_deadline, "the hanging submissions never took the slots"
        assert probe.status == 201, probe.body
        graded += 1
        assert not hanging, "a hanging submission returned before the slots filled"
        time.sleep(0.1)
    assert call(base, "GET", "/readyz").status == 200
    with ThreadPoolExecutor(max_workers=6) as pool:
        refused = list(
            pool.map(lambda _: call(base, "POST", URL, {"code": CORRECT}, token), range(6))
        )
    assert [answer.status for answer in refused] == [503] * 6
    assert max(answer.seconds for answer in [*refused, probe]) < 5
    assert not hanging  # the hanging code was still being graded all along
    for thread in hangers:
        thread.join(timeout=CLIENT_TIMEOUT)
    assert [answer.status for answer in hanging] == [201, 201]
    assert {answer.body["verdict"] for answer in hanging} == {"timeout"}
    graded += 2

    # Nothing hung, nothing half-stored: the server answers, and exactly what was graded
    # is kept.
    assert call(base, "GET", "/readyz").status == 200
    listed = call(base, "GET", f"{URL}?page_size=100", token=token).body["results"]
    assert len(listed) == graded
    after = call(base, "POST", URL, {"code": CORRECT}, token)
    assert after.status == 201, after.body
    assert after.body["verdict"] == "passed"

    log = log_path.read_text()
    assert "Traceback" not in log
    assert "WORKER TIMEOUT" not in log
    assert '"status":500' not in log
    assert time.monotonic() - started < 60
