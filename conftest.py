"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.db import connection
from rest_framework.test import APIClient

from rehearse.accounts.tests.fixtures import make_user  # noqa: F401  (a shared fixture)
from rehearse.katas.tests.fixtures import grader_slots, sandbox  # noqa: F401  (shared fixtures)


def pytest_configure(config: pytest.Config) -> None:
    # Hypothesis: a CI profile that is thorough but bounded on a 2-core machine.
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.register_profile("dev", max_examples=50, deadline=None)
    settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def isolated_cache() -> Iterator[None]:
    """Give every test its own cache namespace (throttle counters, bank version).

    Clearing would also wipe what parallel workers sharing one Redis are using.
    """
    cache = caches["default"]
    saved = cache.version
    cache.version = secrets.randbits(62)
    yield
    cache.version = saved


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def on_postgres() -> None:
    """Mark a test as meaningful only on PostgreSQL; the second CI pass runs it there."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
