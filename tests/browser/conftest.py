"""Fixtures of the browser tests: one chromium per test process, a fresh context per page.

Chromium is Debian's (``apt-get install chromium``; ``CHROMIUM`` names another binary),
never a Playwright download; axe-core comes from npm (``npm ci``, which ``make test``
runs). Without them a developer's run skips these tests with the reason; CI (``CI`` set)
fails instead, so the acceptance checks cannot silently stop running.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import pytest
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.browser.harness import (
    CSP_RECORDER,
    SCREENSHOTS,
    BrowserPage,
    BrowserUnavailable,
    axe_source,
    safe_name,
)

# Playwright's sync API keeps an asyncio event loop running in this thread from the
# moment it starts until the session ends (it switches to the loop with greenlets).
# Django sees that running loop and refuses every ORM call from the thread
# (SynchronousOnlyOperation), in these tests and in any test the same xdist worker runs
# afterwards. Nothing here is async: the loop only carries Playwright's messages, and
# the ORM calls are the ordinary synchronous ones, so the check is a false alarm.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--no-first-run",
]
DEFAULT_VIEWPORT = (1280, 800)


def unavailable(reason: str) -> NoReturn:
    """Skip a developer's run; fail CI's, where the browser tests must run."""
    if os.environ.get("CI", "").lower() not in {"", "0", "false"}:
        pytest.fail(f"browser tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str:
    configured = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    found = shutil.which(configured)
    if found is None:
        unavailable(
            f"chromium not found at {configured}: `apt-get install chromium` "
            "(or set CHROMIUM to a chromium binary)"
        )
    return str(found)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    executable = chromium_path()
    try:
        axe_source()
    except BrowserUnavailable as exc:
        unavailable(str(exc))
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except PlaywrightError as exc:
        playwright.stop()
        unavailable(f"chromium at {executable} did not start: {exc}")
    yield launched
    launched.close()
    playwright.stop()


BrowserPageFactory = Callable[..., BrowserPage]


@pytest.fixture
def new_page(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserPageFactory]:
    """Open pages in fresh browser contexts; the contexts close after the test.

    ``new_page(width=375, base_url=...)``: a viewport of that width, relative URLs
    resolved against ``base_url``, the CSP and console recorders installed, and
    screenshots going to var/screenshots/<test id>/. Needs no Django.
    """
    opened: list[BrowserPage] = []
    test_id = safe_name(request.node.nodeid.removeprefix("tests/browser/"))
    shots = SCREENSHOTS / test_id
    shutil.rmtree(shots, ignore_errors=True)

    def make(
        width: int = DEFAULT_VIEWPORT[0],
        height: int = DEFAULT_VIEWPORT[1],
        base_url: str | None = None,
        **options: Any,
    ) -> BrowserPage:
        context = chromium.new_context(
            viewport={"width": width, "height": height}, base_url=base_url, **options
        )
        context.set_default_timeout(15_000)
        context.add_init_script(CSP_RECORDER)
        bp = BrowserPage(page=context.new_page(), screenshot_dir=shots)
        opened.append(bp)
        return bp

    yield make
    # Closing the context closes its kept-alive connections, so no live-server thread
    # (and its database connection) outlives the test.
    for bp in opened:
        bp.context.close()


@pytest.fixture
def browser_page(new_page: BrowserPageFactory, live_server: Any) -> BrowserPageFactory:
    """``new_page`` against the live rehearse server (transactional database)."""

    def make(width: int = DEFAULT_VIEWPORT[0], height: int = DEFAULT_VIEWPORT[1]) -> BrowserPage:
        return new_page(width=width, height=height, base_url=str(live_server.url))

    return make
