"""Brute force and bursts: per-account and per-address limits, Retry-After, no bypass."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.accounts.tests.conftest import PASSWORD
from rehearse.core.throttling import parse_rate
from rehearse.oauth.keys import rsa_private_key_pem

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def attempt(client: APIClient, email: str, password: str, address: str | None = None) -> Any:
    extra: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": address} if address else {}
    return client.post("/api/v1/auth/token/", {"email": email, "password": password}, **extra)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("120/min", (120, 60)), ("5/15m", (5, 900)), ("10/h", (10, 3600)), ("3/2d", (3, 172800))],
)
def test_parse_rate(rate: str, expected: tuple[int, int]) -> None:
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "fast", "10/fortnight", "-1/m"])
def test_parse_rate_refuses_nonsense(rate: str) -> None:
    with pytest.raises(ValueError, match="is not a rate"):
        parse_rate(rate)


def test_the_attempt_after_the_limit_gets_429_with_retry_after(
    api_client: APIClient, learner: User, settings: Any
) -> None:
    settings.LOGIN_FAILURE_LIMIT = "3/15m"
    for _ in range(3):
        assert attempt(api_client, learner.email, "wrong guess").status_code == 401
    response = attempt(api_client, learner.email, "wrong guess")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    # A sliding window: the excess weighs on into the next window, so up to 2 x 15 min.
    assert 1 <= int(response["Retry-After"]) <= 2 * 900
    # Locked: even the right password must wait, or guessing could go on forever.
    assert attempt(api_client, learner.email, PASSWORD).status_code == 429


def test_changing_x_forwarded_for_does_not_reset_the_account_counter(
    api_client: APIClient, learner: User, settings: Any
) -> None:
    settings.LOGIN_FAILURE_LIMIT = "3/15m"
    for index in range(3):
        response = attempt(api_client, learner.email, "wrong", address=f"203.0.113.{index}")
        assert response.status_code == 401
    assert attempt(api_client, learner.email, "wrong", address="198.51.100.7").status_code == 429


def test_the_account_counter_is_per_account_and_case_blind(
    api_client: APIClient, learner: User, make_user: Any, settings: Any
) -> None:
    settings.LOGIN_FAILURE_LIMIT = "2/15m"
    other = make_user("other@example.org")
    attempt(api_client, "LEARNER@example.org", "wrong")
    attempt(api_client, "learner@EXAMPLE.org", "wrong")
    assert attempt(api_client, learner.email, PASSWORD).status_code == 429
    assert attempt(api_client, other.email, PASSWORD).status_code == 200


def test_a_successful_sign_in_clears_earlier_failures(
    api_client: APIClient, learner: User, settings: Any
) -> None:
    settings.LOGIN_FAILURE_LIMIT = "3/15m"
    attempt(api_client, learner.email, "wrong")
    attempt(api_client, learner.email, "wrong")
    assert attempt(api_client, learner.email, PASSWORD).status_code == 200
    attempt(api_client, learner.email, "wrong")
    attempt(api_client, learner.email, "wrong")
    assert attempt(api_client, learner.email, PASSWORD).status_code == 200


def test_the_token_endpoint_is_limited_per_client_address(
    api_client: APIClient, settings: Any
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "token": "4/min",
        },
    }
    statuses = [
        attempt(api_client, f"nobody{index}@example.org", "x").status_code for index in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 429]


def test_a_forged_x_forwarded_for_does_not_change_the_address_throttled(
    api_client: APIClient, settings: Any
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "NUM_PROXIES": 1,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "token": "3/min",
        },
    }
    # Behind one proxy the client address is the last X-Forwarded-For entry, the one
    # nginx wrote; whatever the client put before it is ignored.
    statuses = [
        attempt(
            api_client, "nobody@example.org", "x", address=f"10.0.0.{index}, 192.0.2.1"
        ).status_code
        for index in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_register_is_limited_per_address(api_client: APIClient, settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "register": "2/h",
        },
    }
    for index in range(2):
        response = api_client.post(
            "/api/v1/auth/register/", {"email": f"u{index}@example.org", "password": PASSWORD}
        )
        assert response.status_code == 201
    response = api_client.post(
        "/api/v1/auth/register/", {"email": "u9@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert User.objects.count() == 2


# -- with Redis and two gunicorn workers -------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post(url: str, body: bytes, forwarded_for: str) -> int:
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.fixture
def two_workers_on_redis(on_postgres: None, transactional_db: None) -> Iterator[str]:
    """gunicorn with two worker processes on the test database and a real Redis."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs Redis: run with REDIS_URL=redis://... (CI does)")
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/"
        f"{settings_dict['NAME']}"
    )
    User.objects.create_user("target@example.org", PASSWORD)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "OIDC_RSA_PRIVATE_KEY": rsa_private_key_pem(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"throttle-test-{secrets.token_hex(4)}",
        "SECURE_SSL_REDIRECT": "false",
        "LOGIN_FAILURE_LIMIT": "5/15m",
        "THROTTLE_TOKEN_RATE": "1000/min",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_limit_holds_across_two_gunicorn_workers_sharing_redis(
    two_workers_on_redis: str,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    url = f"{two_workers_on_redis}/api/v1/auth/token/"
    body = b'{"email": "target@example.org", "password": "wrong guess"}'
    # 12 concurrent guesses from 12 "addresses": the workers share one Redis counter,
    # so at most 5 get to check a password; the others are refused with 429.
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda i: post(url, body, f"203.0.113.{i}"), range(12)))
    assert set(statuses) <= {401, 429}
    assert statuses.count(401) == 5
    assert statuses.count(429) == 7
    assert post(url, body, "198.51.100.1") == 429
