"""Personas and helpers for the accounts tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.tests.fixtures import PASSWORD

__all__ = ["PASSWORD", "bearer", "sign_in"]


@pytest.fixture
def learner(make_user: Callable[..., User]) -> User:
    return make_user("learner@example.org")


def sign_in(client: APIClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token/", {"email": email, "password": password})
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def bearer(client: APIClient, access: str) -> APIClient:
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client
