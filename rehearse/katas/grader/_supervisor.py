"""The in-sandbox supervisor: starts runners, times each test, and reports to the host.

The project never imports this file. The host starts it as the sandbox's command,
``python3 -I -S -c <this file's source>``, and writes the job as JSON on its stdin. It
never runs submitted code itself: it forks a fresh interpreter running ``_runner.py``
(with that runner's rlimits), feeds it the tests' inputs, and relays what it reports.
That split is what makes the result channel trustworthy:

- The channel to the host is an fd only this process holds. Runners are exec'd with
  fds 0-3 and nothing else, and the sandbox mounts no /proc, so a runner cannot reach
  this process's fds or memory; the host's token for that channel is never given to a
  runner, and each runner gets its own nonce for the pipe back to here.
- Time is measured here, not in the runner: each test gets ``test_seconds`` of wall
  clock from the previous report, the whole run ``run_seconds``. A runner that hangs,
  crashes, exits early, floods its output or writes anything but a well-formed frame
  with its nonce is killed; the test it was on gets the matching status, and a new
  runner resumes at the next test.

In "script" mode (used by the tests to probe the sandbox itself) it runs a given script
with the same rlimits and no in-process guard, and reports its exit status and output.

Frames to the host: a 4-byte big-endian length, then ASCII JSON carrying the token.
"""

from __future__ import annotations

from typing import Any

FRAME_HEADER = 4
# Leeway over the largest value a runner may return, for the message around it.
FRAME_OVERHEAD = 64 * 1024
READ_CHUNK = 64 * 1024
# How long a runner that closed its result pipe gets to exit before it is killed.
EXIT_GRACE_SECONDS = 0.5
RUNNER_STATUSES = ("ok", "raised", "memory")
RUNNER = "the process running your code"


def _main() -> None:
    import contextlib
    import hmac
    import json
    import os
    import resource
    import selectors
    import signal
    import sys
    import time

    def read_all(fd: int) -> bytes:
        chunks: list[bytes] = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    job = json.loads(read_all(0))
    token: str = job["token"]
    result_fd: int = job["result_fd"]
    limits: dict[str, Any] = job["limits"]
    python = sys.executable
    os.set_inheritable(result_fd, False)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def emit(message: dict[str, Any]) -> None:
        message["token"] = token
        data = json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        view = memoryview(len(data).to_bytes(FRAME_HEADER, "big") + data)
        while view:
            view = view[os.write(result_fd, view) :]

    def limit_child() -> None:
        """In the forked child, before exec: the rlimits of code under test."""
        cpu = int(limits["cpu_seconds"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"],) * 2)
        resource.setrlimit(resource.RLIMIT_STACK, (limits["stack_bytes"],) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"],) * 2)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"],) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
        # No new process or thread at all. RLIMIT_NPROC counts the processes of this uid
        # in this user namespace, and this one already holds three (bwrap's init, this
        # supervisor, the runner), so a limit of 1 fails every fork() and clone().
        resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))

    def spawn(argv: list[str], stdin_data: bytes) -> tuple[int, int, int]:
        """Fork and exec a child; return its pid, output fd and result fd."""
        job_r, job_w = os.pipe()
        out_r, out_w = os.pipe()
        res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child execs or dies
            try:
                os.dup2(job_r, 0)
                os.dup2(out_w, 1)
                os.dup2(out_w, 2)
                os.dup2(res_w, 3)
                os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
                limit_child()
                os.execv(python, argv)  # noqa: S606 - a fixed argv, no shell
            finally:
                os._exit(127)
        for fd in (job_r, out_w, res_w):
            os.close(fd)
        try:
            view = memoryview(stdin_data)
            while view:
                view = view[os.write(job_w, view) :]
        except BrokenPipeError:
            pass  # the child died first; its exit status says why
        finally:
            os.close(job_w)
        return pid, out_r, res_r

    def kill(pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def reap(pid: int, deadline: float) -> int | None:
        """Wait for ``pid`` until ``deadline``; kill it then. Return its wait status."""
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            time.sleep(0.005)
        kill(pid)
        os.waitpid(pid, 0)
        return None

    def explain(status: int | None) -> tuple[str, str]:
        """Status and detail for a runner that ended without reporting its test."""
        if status is None:
            return "crashed", f"{RUNNER} closed its result channel and did not exit"
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = f"signal {number}"
            if number == signal.SIGXCPU:
                return "timeout", f"{RUNNER} used up its CPU time limit"
            if number == signal.SIGSEGV:
                return "crashed", (
                    f"{RUNNER} crashed with a segmentation fault (SIGSEGV), usually a C "
                    "stack overflow from very deep recursion"
                )
            if number == signal.SIGXFSZ:
                return "crashed", f"{RUNNER} wrote more than the file size limit (SIGXFSZ)"
            return "crashed", f"{RUNNER} was killed by {name}"
        return "crashed", (
            f"{RUNNER} exited with status {os.WEXITSTATUS(status)} before returning a result "
            "(sys.exit or os._exit?)"
        )

    output = bytearray()
    output_state = {"truncated": False}
    output_cap = int(limits["output_bytes"])

    def take_output(data: bytes) -> bool:
        """Keep output up to the cap; return False once the cap is exceeded."""
        room = output_cap - len(output)
        if len(data) > room:
            output.extend(data[: max(room, 0)])
            output_state["truncated"] = True
            return False
        output.extend(data)
        return True

    def run_script() -> None:
        started = time.monotonic()
        deadline = started + float(limits["test_seconds"])
        pid, out_r, res_r = spawn([python, "-I", "-S", "-u", "-c", job["script"]], b"")
        os.close(res_r)
        timed_out = flooded = False
        with selectors.DefaultSelector() as selector:
            selector.register(out_r, selectors.EVENT_READ)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    break
                if not selector.select(remaining):
                    continue
                data = os.read(out_r, READ_CHUNK)
                if not data:
                    break
                if not take_output(data):
                    flooded = True
                    break
        os.close(out_r)
        if timed_out or flooded:
            kill(pid)
        status = reap(pid, max(deadline, time.monotonic() + EXIT_GRACE_SECONDS))
        if status is None:
            timed_out = True
        signalled = status is not None and os.WIFSIGNALED(status)
        emit(
            {
                "t": "script",
                "exit": os.WEXITSTATUS(status)
                if status is not None and os.WIFEXITED(status)
                else None,
                "signal": os.WTERMSIG(status) if signalled and status is not None else None,
                "timed_out": timed_out,
                "output": output.decode("utf-8", "replace"),
                "output_truncated": output_state["truncated"],
                "elapsed": time.monotonic() - started,
            }
        )

    def parse(body: bytes, nonce: str) -> dict[str, Any] | None:
        """A runner's message if it is well formed and carries the nonce, else None."""
        try:
            message = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(message, dict):
            return None
        claimed = message.get("nonce")
        if not isinstance(claimed, str) or not hmac.compare_digest(claimed, nonce):
            return None
        return message

    def relay(index: int, message: dict[str, Any], elapsed: float) -> bool:
        """Send a runner's result for test ``index`` to the host; False if malformed."""
        status = message.get("status")
        recursed = message.get("recursed")
        if status not in RUNNER_STATUSES or not isinstance(recursed, bool):
            return False
        frame: dict[str, Any] = {
            "t": "test",
            "i": index,
            "status": status,
            "recursed": recursed,
            "elapsed": elapsed,
        }
        if status == "ok":
            if "value" not in message:
                return False
            frame["value"] = message["value"]
        else:
            error = message.get("error")
            if not isinstance(error, str):
                return False
            frame["error"] = error[:1000]
        emit(frame)
        return True

    def report(index: int, status: str, detail: str, elapsed: float | None = None) -> None:
        emit({"t": "test", "i": index, "status": status, "error": detail, "elapsed": elapsed})

    def run_grade() -> None:
        tests: list[list[Any]] = job["tests"]
        total = len(tests)
        test_seconds = float(limits["test_seconds"])
        budget_end = time.monotonic() + float(limits["run_seconds"])
        runner_argv = [python, "-I", "-S", "-u", "-c", job["runner"]]
        max_frame = int(limits["result_bytes"]) + FRAME_OVERHEAD
        index = 0
        runners = 0

        while index < total:
            if time.monotonic() >= budget_end:
                for rest in range(index, total):
                    report(rest, "not_run", "not run: the time for the whole run was used up")
                break
            runners += 1
            nonce = os.urandom(16).hex()
            payload = json.dumps(
                {
                    "nonce": nonce,
                    "code": job["code"],
                    "function": job["function"],
                    "first": index,
                    "tests": tests[index:],
                    "recursion_limit": limits["recursion_limit"],
                },
                ensure_ascii=True,
            ).encode("ascii")
            pid, out_r, res_r = spawn(runner_argv, payload)
            started = time.monotonic()
            deadline = min(started + test_seconds, budget_end)
            loading = True
            buffer = bytearray()
            # Why this runner stops: None while it runs; (status, detail) for the test or
            # load it was on; "done" when it reported every test or its load error.
            verdict: tuple[str, str] | str | None = None
            selector = selectors.DefaultSelector()
            selector.register(out_r, selectors.EVENT_READ)
            selector.register(res_r, selectors.EVENT_READ)
            results_open = True
            while verdict is None and results_open:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if time.monotonic() >= budget_end:
                        verdict = ("timeout", "the time for the whole run was used up")
                    else:
                        verdict = ("timeout", f"your code took longer than {test_seconds:g} s")
                    break
                for key, _ in selector.select(remaining):
                    try:
                        data = os.read(key.fd, READ_CHUNK)
                    except OSError:
                        data = b""
                    if key.fd == out_r:
                        if not data:
                            selector.unregister(out_r)
                        elif not take_output(data):
                            verdict = (
                                "output_limit",
                                f"your code printed more than {output_cap:,} bytes",
                            )
                            break
                        continue
                    if not data:
                        results_open = False
                        break
                    buffer.extend(data)
                    while verdict is None and len(buffer) >= FRAME_HEADER:
                        length = int.from_bytes(buffer[:FRAME_HEADER], "big")
                        if length > max_frame:
                            verdict = ("protocol", "your code returned a value over the size limit")
                            break
                        if len(buffer) < FRAME_HEADER + length:
                            break
                        body = bytes(buffer[FRAME_HEADER : FRAME_HEADER + length])
                        del buffer[: FRAME_HEADER + length]
                        message = parse(body, nonce)
                        now = time.monotonic()
                        kind = message.get("t") if message is not None else None
                        if message is not None and loading and kind == "ready":
                            loading = False
                            started = now
                            deadline = min(now + test_seconds, budget_end)
                        elif message is not None and loading and kind == "load_error":
                            error = message.get("error")
                            detail = error[:1000] if isinstance(error, str) else "load error"
                            for rest in range(index, total):
                                report(rest, "load_error", detail)
                            index = total
                            verdict = "done"
                        elif (
                            message is not None
                            and not loading
                            and kind == "result"
                            and message.get("i") == index
                            and relay(index, message, now - started)
                        ):
                            index += 1
                            started = now
                            deadline = min(now + test_seconds, budget_end)
                            if index == total:
                                verdict = "done"
                        else:
                            verdict = (
                                "protocol",
                                f"{RUNNER} sent a result that was not from the grader's runner",
                            )
                    if verdict is not None:
                        break
            selector.close()
            if verdict is None:
                # The runner closed its result pipe without finishing: collect the rest of
                # its output, then its exit status.
                with selectors.DefaultSelector() as drain:
                    drain.register(out_r, selectors.EVENT_READ)
                    drain_end = min(time.monotonic() + EXIT_GRACE_SECONDS, deadline)
                    while (left := drain_end - time.monotonic()) > 0 and drain.select(left):
                        data = os.read(out_r, READ_CHUNK)
                        if not data or not take_output(data):
                            break
                verdict = explain(reap(pid, time.monotonic() + EXIT_GRACE_SECONDS))
            else:
                if verdict != "done":
                    kill(pid)
                reap(pid, time.monotonic() + EXIT_GRACE_SECONDS)
                if verdict == "done":
                    # The last result can be read before the output printed ahead of it
                    # (both pipes ready at once); the runner is gone, so this ends at EOF.
                    while (data := os.read(out_r, READ_CHUNK)) and take_output(data):
                        pass
            os.close(out_r)
            os.close(res_r)
            if verdict == "done":
                continue
            assert isinstance(verdict, tuple)
            status, detail = verdict
            if loading:
                # The submission's module never finished loading: every test fails alike.
                for rest in range(index, total):
                    report(rest, status, "while loading your code: " + detail)
                index = total
            else:
                report(index, status, detail, time.monotonic() - started)
                index += 1

        emit(
            {
                "t": "done",
                "output": output.decode("utf-8", "replace"),
                "output_truncated": output_state["truncated"],
                "runners": runners,
            }
        )

    if job["mode"] == "script":
        run_script()
    else:
        run_grade()


if __name__ == "__main__":
    _main()
