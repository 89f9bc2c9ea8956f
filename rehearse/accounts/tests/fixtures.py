"""The account fixture every app's tests share (registered in the root conftest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role, grant_role

PASSWORD = "a sufficiently long passphrase"


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """Make a learner (plus any extra roles) whose password is PASSWORD."""

    def make(email: str = "learner@example.org", *roles: Role, **fields: Any) -> User:
        user = User.objects.create_user(email, PASSWORD, **fields)
        for role in (Role.LEARNER, *roles):
            grant_role(user, role)
        return user

    return make
