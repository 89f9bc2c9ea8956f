"""The custom user: email login, case-insensitive and unique, with profile fields."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rehearse.accounts.models import User

pytestmark = pytest.mark.django_db


def test_email_is_stored_lower_case_and_logs_in_in_any_case() -> None:
    User.objects.create_user("Ada.Lovelace@Example.ORG", "analytical-engine-1843")
    user = authenticate(email="ADA.lovelace@example.org", password="analytical-engine-1843")
    assert user is not None
    assert user.email == "ada.lovelace@example.org"


def test_email_is_unique_regardless_of_case() -> None:
    User.objects.create_user("grace@example.org", "cobol-compiler-1959")
    with pytest.raises(ValidationError):
        User.objects.create_user("GRACE@example.org", "another-password-1")


def test_database_itself_refuses_a_case_variant_of_an_email() -> None:
    User.objects.create_user("linus@example.org", "kernel-hacker-1991")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypassing the model's clean(): the functional unique index still holds.
        User.objects.bulk_create([User(email="LINUS@example.org")])


def test_wrong_password_does_not_authenticate() -> None:
    User.objects.create_user("alan@example.org", "enigma-breaker-1940")
    assert authenticate(email="alan@example.org", password="wrong-password") is None


def test_profile_fields_and_time_zone_validation() -> None:
    user = User.objects.create_user(
        "barbara@example.org",
        "liskov-substitution-1987",
        display_name="Barbara",
        time_zone="Europe/Paris",
        target_role="Backend engineer",
    )
    assert user.get_short_name() == "Barbara"
    user.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean()
    assert "time_zone" in excinfo.value.message_dict


def test_superuser_is_staff() -> None:
    admin = User.objects.create_superuser("root@example.org", "super-secret-pass-1")
    assert admin.is_staff
    assert admin.is_superuser


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
