"""Grading fixtures every app's tests share (registered in the root conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rehearse.katas.grader import sandbox_available


@pytest.fixture
def grader_slots(settings: Any, tmp_path: Path) -> None:
    """Slots of this test's own, so no other grading on the host can make it busy."""
    settings.GRADER_SLOT_DIR = tmp_path / "grader-slots"
    settings.GRADER_MAX_CONCURRENT = 2


@pytest.fixture(scope="session")
def sandbox() -> None:
    """The real bubblewrap sandbox: a test that grades fails (never skips) without it."""
    if not sandbox_available():
        pytest.fail(
            "bubblewrap cannot run the sandbox on this machine (is the 'bubblewrap' Debian "
            "package installed, and /usr/bin/python3 present?); see the katas sandbox "
            "warning in the log for bwrap's own message"
        )
