"""Running the in-sandbox supervisor under bubblewrap, from the host's side.

``run_supervisor`` builds the bwrap command line, starts ``_supervisor.py`` in a fresh
sandbox with the job on its stdin, and reads what it reports from a dedicated pipe, under
a wall-clock deadline and size caps; past either, it kills the sandbox's whole process
group, and with it (``--die-with-parent``, PID namespace) everything inside.

The sandbox, per run: new user, PID, network, IPC, UTS and cgroup namespaces; uid and gid
65534 inside with no capabilities and no way to create further user namespaces; a
filesystem of read-only binds of the interpreter and /usr/lib (no /etc, /home, /root,
/var, /work, no /proc), a minimal read-only /dev, a read-only root, and a private,
size-capped /tmp as the only writable place; an empty environment.

The interpreter is the system's ``/usr/bin/python3`` run with ``-I -S``: the project's
virtualenv lives outside /usr (here under /root), and binding it would expose the
project's dependencies and paths for nothing, since the harness needs only the standard
library. When the host process is root, bwrap itself is started as uid/gid 65534,
because the kernel does not enforce RLIMIT_NPROC for processes whose real uid is 0 in
the initial namespace, and a root-owned sandbox would ignore the fork limit.

If bwrap or the interpreter is missing, or bwrap cannot set up the sandbox, this raises
``SandboxUnavailable``: nothing ever runs outside the sandbox instead.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rehearse.katas.grader.limits import KIB, Limits

logger = logging.getLogger(__name__)

SANDBOX_UID = 65534
SANDBOX_GID = 65534
SUPERVISOR_SOURCE = Path(__file__).with_name("_supervisor.py").read_text(encoding="utf-8")
RUNNER_SOURCE = Path(__file__).with_name("_runner.py").read_text(encoding="utf-8")
# What the supervisor may print on its own stdout/stderr (only ever a crash report).
DIAGNOSTICS_CAP = 64 * KIB
FRAME_HEADER = 4
READ_CHUNK = 64 * KIB
# Library directories bound read-only when they exist, and top-level paths mirrored as
# symlinks (merged-/usr systems) or bound read-only (the others).
LIBRARY_DIRS = ("/usr/lib", "/usr/lib64")
MIRRORED_TOP_LEVEL = ("/lib", "/lib64")


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run here (no bubblewrap, no interpreter, or bwrap failed).

    Raised instead of grading: submitted code is never run outside the sandbox.
    """


@dataclass(frozen=True)
class SandboxConfig:
    """Where the sandbox's programs are, and how long the host waits for them."""

    bwrap: str = "/usr/bin/bwrap"
    # The interpreter inside the sandbox; it and /usr/lib are bound read-only.
    python: str = "/usr/bin/python3"
    # Host (uid, gid) that bwrap runs as. None: 65534 when this process is root (so that
    # RLIMIT_NPROC is enforced), otherwise this process's own user.
    run_as: tuple[int, int] | None = None
    # How long past ``Limits.run_seconds`` the host waits (startup, reporting) before
    # killing the sandbox.
    grace_seconds: float = 3.0


@dataclass(frozen=True)
class SandboxRun:
    """What came back from one sandbox run."""

    frames: tuple[dict[str, Any], ...]
    # A frame arrived that lacked the run's token or did not parse: nothing after it
    # (and arguably nothing at all) can be trusted.
    tampered: bool
    # The host killed the sandbox: its deadline passed or it sent more than the caps.
    killed: bool
    reason: str
    exit_status: int | None
    elapsed_seconds: float


def _interpreter(config: SandboxConfig) -> Path:
    return Path(os.path.realpath(config.python))


def sandbox_command(config: SandboxConfig, limits: Limits) -> list[str]:
    """The bwrap command line that starts the supervisor; checks the binaries exist."""
    if not os.access(config.bwrap, os.X_OK):
        raise SandboxUnavailable(
            f"bubblewrap is not installed at {config.bwrap} (Debian package 'bubblewrap'); "
            "submissions cannot be graded without it"
        )
    python = _interpreter(config)
    if not os.access(python, os.X_OK):
        raise SandboxUnavailable(f"the sandbox's interpreter {config.python} does not exist")
    command = [
        config.bwrap,
        # Every namespace: no network but a loopback of its own, no other process.
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_GID),
        "--hostname",
        "sandbox",
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--ro-bind",
        str(python),
        str(python),
    ]
    for directory in LIBRARY_DIRS:
        if os.path.isdir(directory):
            command += ["--ro-bind", directory, directory]
    for path in MIRRORED_TOP_LEVEL:
        if os.path.islink(path):
            command += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            command += ["--ro-bind", path, path]
    command += [
        "--dev",
        "/dev",
        "--size",
        str(limits.file_bytes),
        "--tmpfs",
        "/tmp",  # noqa: S108 - the sandbox's own private, empty tmpfs
        "--chdir",
        "/tmp",  # noqa: S108 - ditto
        # The root and /dev are tmpfs that bwrap builds; once built, nothing may be
        # written there (/tmp is a mount of its own and stays writable, within its size).
        "--remount-ro",
        "/dev",
        "--remount-ro",
        "/",
        str(python),
        "-I",
        "-S",
        "-c",
        SUPERVISOR_SOURCE,
    ]
    return command


def _identity(config: SandboxConfig) -> dict[str, Any]:
    """Popen arguments that start bwrap as the configured (or the unprivileged) user."""
    run_as = config.run_as
    if run_as is None and os.geteuid() == 0:
        run_as = (SANDBOX_UID, SANDBOX_GID)
    if run_as is None or run_as == (os.geteuid(), os.getegid()):
        return {}
    return {"user": run_as[0], "group": run_as[1], "extra_groups": []}


def _parse_frames(data: bytes, token: str) -> tuple[list[dict[str, Any]], bool]:
    """Split the result stream into messages; the flag says a frame was not genuine."""
    frames: list[dict[str, Any]] = []
    position = 0
    while position < len(data):
        if len(data) - position < FRAME_HEADER:
            return frames, True
        length = int.from_bytes(data[position : position + FRAME_HEADER], "big")
        position += FRAME_HEADER
        if length > len(data) - position:
            return frames, True
        body = data[position : position + length]
        position += length
        try:
            message = json.loads(body)
        except (ValueError, RecursionError):
            return frames, True
        if not isinstance(message, dict):
            return frames, True
        claimed = message.pop("token", None)
        if not isinstance(claimed, str) or not hmac.compare_digest(claimed, token):
            return frames, True
        frames.append(message)
    return frames, False


def run_supervisor(
    job: Mapping[str, Any], *, limits: Limits, config: SandboxConfig, stream_cap: int
) -> SandboxRun:
    """Run the supervisor on ``job`` in a new sandbox and collect its result frames.

    ``stream_cap`` bounds the bytes of result frames read back; past it the sandbox is
    killed, like past the deadline.
    """
    command = sandbox_command(config, limits)
    started = time.monotonic()
    deadline = started + limits.run_seconds + config.grace_seconds
    token = secrets.token_hex(16)
    read_fd, write_fd = os.pipe()
    payload = json.dumps(
        {**job, "token": token, "result_fd": write_fd, "limits": asdict(limits)},
        ensure_ascii=True,
    ).encode("ascii")
    try:
        process = subprocess.Popen(  # noqa: S603 - a fixed argv, no shell
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(write_fd,),
            close_fds=True,
            start_new_session=True,
            cwd="/",
            env={},
            **_identity(config),
        )
    except OSError as exc:
        os.close(read_fd)
        raise SandboxUnavailable(f"bubblewrap could not be started: {exc}") from exc
    finally:
        os.close(write_fd)
    assert process.stdin is not None
    assert process.stdout is not None
    assert process.stderr is not None

    results = bytearray()
    diagnostics = bytearray()
    killed_because = ""
    selector = selectors.DefaultSelector()
    stdin_fd = process.stdin.fileno()
    os.set_blocking(stdin_fd, False)
    pending = memoryview(payload)
    selector.register(stdin_fd, selectors.EVENT_WRITE)
    for fd in (read_fd, process.stdout.fileno(), process.stderr.fileno()):
        selector.register(fd, selectors.EVENT_READ)
    readers = 3
    try:
        while readers and not killed_because:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                killed_because = "the sandbox did not finish in time"
                break
            for key, _ in selector.select(remaining):
                if key.fd == stdin_fd:
                    try:
                        pending = pending[os.write(stdin_fd, pending[:READ_CHUNK]) :]
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:
                        pending = pending[:0]
                    if not pending:
                        selector.unregister(stdin_fd)
                        process.stdin.close()
                    continue
                data = os.read(key.fd, READ_CHUNK)
                if not data:
                    selector.unregister(key.fd)
                    readers -= 1
                    continue
                if key.fd == read_fd:
                    results.extend(data)
                    if len(results) > stream_cap:
                        killed_because = "the sandbox sent more results than allowed"
                        break
                else:
                    diagnostics.extend(data[: max(0, DIAGNOSTICS_CAP - len(diagnostics))])
                    if len(diagnostics) >= DIAGNOSTICS_CAP:
                        killed_because = "the sandbox's supervisor printed too much"
                        break
        if not killed_because:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                killed_because = "the sandbox did not exit in time"
    finally:
        selector.close()
        os.close(read_fd)
        if killed_because or process.poll() is None:
            _kill_group(process)
        for stream in (process.stdin, process.stdout, process.stderr):
            if not stream.closed:
                stream.close()

    frames, tampered = _parse_frames(bytes(results), token)
    stderr_text = diagnostics.decode("utf-8", "replace").strip()
    if not frames and not killed_because and process.returncode != 0:
        first_line = stderr_text.splitlines()[0] if stderr_text else ""
        if first_line.startswith("bwrap:"):
            raise SandboxUnavailable(f"bubblewrap could not set up the sandbox: {first_line}")
    if stderr_text or tampered or killed_because:
        logger.warning(
            "katas sandbox: exit=%s killed=%r tampered=%s diagnostics=%r",
            process.returncode,
            killed_because,
            tampered,
            stderr_text[:2000],
        )
    return SandboxRun(
        frames=tuple(frames),
        tampered=tampered,
        killed=bool(killed_because),
        reason=killed_because,
        exit_status=process.returncode,
        elapsed_seconds=time.monotonic() - started,
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill bwrap's process group; its PID namespace dies with it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def run_script(
    script: str, *, limits: Limits | None = None, config: SandboxConfig | None = None
) -> dict[str, Any]:
    """Run a Python script in the sandbox with a runner's rlimits but no in-process guard.

    Returns the supervisor's report: ``exit``, ``signal``, ``timed_out``, ``output``,
    ``output_truncated``, ``elapsed``. It exists to check the sandbox itself (and the
    tests use it to probe it); submissions are graded with ``grade``.
    """
    limits = limits or Limits()
    run = run_supervisor(
        {"mode": "script", "script": script},
        limits=limits,
        config=config or SandboxConfig(),
        stream_cap=16 * limits.output_bytes + 64 * KIB,
    )
    reports = [frame for frame in run.frames if frame.get("t") == "script"]
    if run.tampered or len(reports) != 1:
        raise RuntimeError(
            f"the sandbox did not report on the script ({run.reason or 'no report'})"
        )
    return reports[0]


def sandbox_available(config: SandboxConfig | None = None) -> bool:
    """Whether submissions can be graded here: runs a trivial script in the sandbox."""
    try:
        report = run_script(
            "import sys; sys.exit(0 if sys.version_info >= (3, 9) else 3)",
            limits=Limits(test_seconds=10.0, run_seconds=10.0),
            config=config,
        )
    except (SandboxUnavailable, RuntimeError) as exc:
        logger.warning("katas sandbox unavailable: %s", exc)
        return False
    return report.get("exit") == 0
