"""Personas for the practice tests: a learner, and an outsider who owns nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.practice.tests.factories import LearnerFactory


@pytest.fixture
def learner() -> User:
    return LearnerFactory.create(email="ada@example.org")


@pytest.fixture
def outsider() -> User:
    return LearnerFactory.create(email="mallory@example.org")


@pytest.fixture
def api(learner: User) -> APIClient:
    """An API client signed in as the learner."""
    api = APIClient()
    api.force_authenticate(learner)
    return api
