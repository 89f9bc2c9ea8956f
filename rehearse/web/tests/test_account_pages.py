"""Sign up, profile and password pages: the account services behind a form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rehearse.accounts.models import User
from rehearse.accounts.roles import Role
from rehearse.accounts.tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long passphrase"


def sign_up(client: Client, **fields: str) -> Any:
    data = {"email": "new@example.org", "password": PASSWORD, "display_name": "New"}
    return client.post("/signup/", {**data, **fields})


def test_signing_up_creates_a_learner_and_signs_them_in() -> None:
    client = Client()
    response = sign_up(client, email="New@Example.org")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    user = User.objects.get(email="new@example.org")
    assert user.display_name == "New"
    assert user.groups.filter(name=Role.LEARNER).exists()
    assert "new@example.org" in client.get("/accounts/profile/").content.decode()


def test_a_taken_email_is_refused_on_the_form(learner: User) -> None:
    response = sign_up(Client(), email=learner.email.upper())
    assert response.status_code == 400
    assert "already" in response.content.decode()
    assert User.objects.filter(email__iexact=learner.email).count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "too short"), ("1234567890123", "entirely numeric"), ("password123", "too common")],
)
def test_a_weak_password_is_refused_and_nothing_is_stored(password: str, message: str) -> None:
    response = sign_up(Client(), password=password)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_a_malformed_email_is_a_field_error() -> None:
    response = sign_up(Client(), email="not-an-address")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not User.objects.exists()


def test_sign_ups_share_the_api_rate_limit_per_address() -> None:
    # A new browser each time (a signed-in one is just sent home); one address.
    statuses = [sign_up(Client(), email=f"u{n}@example.org").status_code for n in range(11)]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    assert User.objects.count() == 10
    api = Client().post(
        "/api/v1/auth/register/",
        {"email": "api@example.org", "password": PASSWORD},
        content_type="application/json",
    )
    assert api.status_code == 429  # one counter for the page and the API


def test_sign_up_refuses_a_post_without_the_csrf_token() -> None:
    assert sign_up(Client(enforce_csrf_checks=True)).status_code == 403
    assert not User.objects.exists()


def test_personal_pages_send_a_visitor_to_log_in_first() -> None:
    for path in ["/accounts/profile/", "/accounts/password/", "/review/", "/interviews/"]:
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"


def profile_data(**changes: str) -> dict[str, str]:
    data = {
        "display_name": "Ada",
        "time_zone": "Europe/Paris",
        "target_role": "Backend engineer",
        "interview_date": "2027-01-15",
        "daily_review_limit": "40",
    }
    return {**data, **changes}


def test_the_profile_saves_interview_date_zone_and_limit(
    learner: User, learner_client: Client
) -> None:
    response = learner_client.post("/accounts/profile/", profile_data())
    assert response.status_code == 302
    learner.refresh_from_db()
    assert str(learner.interview_date) == "2027-01-15"
    assert learner.time_zone == "Europe/Paris"
    assert learner.daily_review_limit == 40
    assert "Profile saved." in learner_client.get("/accounts/profile/").content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "not a known IANA time zone"),
        ("daily_review_limit", "0", "greater than or equal to 1"),
        ("daily_review_limit", "1001", "less than or equal to 1000"),
        ("interview_date", "2027-02-30", "Enter a valid date"),
        ("display_name", "x" * 81, "at most 80 characters"),
    ],
)
def test_a_bad_profile_value_is_refused_and_nothing_changes(
    learner: User, learner_client: Client, field: str, value: str, message: str
) -> None:
    response = learner_client.post("/accounts/profile/", profile_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    learner.refresh_from_db()
    assert learner.time_zone == "UTC"
    assert learner.display_name == ""
    assert learner.interview_date is None


def test_changing_the_password_keeps_this_session_and_revokes_tokens(
    learner: User, learner_client: Client
) -> None:
    version = learner.token_version
    response = learner_client.post(
        "/accounts/password/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)
    assert learner.token_version > version
    assert learner_client.get("/accounts/profile/").status_code == 200


def test_a_wrong_current_password_changes_nothing(learner: User, learner_client: Client) -> None:
    response = learner_client.post(
        "/accounts/password/", {"current_password": "wrong one!", "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert "The current password is wrong." in response.content.decode()
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_a_weak_new_password_is_refused(learner: User, learner_client: Client) -> None:
    response = learner_client.post(
        "/accounts/password/", {"current_password": PASSWORD, "new_password": "123"}
    )
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)
