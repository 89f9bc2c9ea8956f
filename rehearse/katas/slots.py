"""Grading slots: at most N submissions graded at once on this host, across processes.

Each slot is a lock file under ``GRADER_SLOT_DIR``; holding a slot is holding an
exclusive ``flock`` on its file. ``flock`` locks belong to an open file description, so
they exclude each other between gunicorn workers, between threads of one worker (each
acquisition opens the file anew) and between unrelated processes on the host, and the
kernel drops them when the descriptor is closed, including when the process dies: a
worker killed in the middle of grading never leaks its slot.

Acquisition never waits. A request that finds every slot taken is refused at once (the
API answers 503 with ``Retry-After``) instead of parking a web worker behind a queue of
submissions that may each take ``run_seconds`` + 3 s to grade.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core import checks


class NoFreeSlot(Exception):
    """Every grading slot is held by another grading."""


class Slot:
    """A held grading slot; release it (or leave the ``with`` block) when grading ends."""

    def __init__(self, index: int, fd: int) -> None:
        self.index = index
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the description drops the lock
            self._fd = None

    def __enter__(self) -> Slot:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def acquire_slot(*, directory: Path, count: int) -> Slot:
    """Take the first free one of ``count`` slots under ``directory``; ``NoFreeSlot`` if none.

    The lock files are opened close-on-exec, so the sandbox started while a slot is held
    does not inherit it.
    """
    if count < 1:
        raise ValueError(f"the number of grading slots must be at least 1, got {count}")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for index in range(count):
        fd = os.open(directory / f"slot-{index}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        except BaseException:
            os.close(fd)
            raise
        return Slot(index, fd)
    raise NoFreeSlot(f"all {count} grading slots are in use")


def configured_slot() -> Slot:
    """A slot under the configured directory and count (``GRADER_*`` settings)."""
    return acquire_slot(
        directory=Path(settings.GRADER_SLOT_DIR), count=settings.GRADER_MAX_CONCURRENT
    )


@checks.register()
def check_grader_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    count = getattr(settings, "GRADER_MAX_CONCURRENT", None)
    if not isinstance(count, int) or count < 1:
        return [
            checks.Error(
                f"GRADER_MAX_CONCURRENT must be a whole number of at least 1, got {count!r}.",
                hint="It is how many submissions may be graded at once on this host.",
                id="katas.E001",
            )
        ]
    return []
