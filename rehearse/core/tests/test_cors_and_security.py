"""CORS for the API, and the security headers and cookies of production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rehearse.oauth.keys import rsa_private_key_pem

ROOT = Path(__file__).resolve().parents[3]
ALLOWED = "https://app.example.org"


@pytest.fixture
def cors(settings: Any) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]


def preflight(client: Client, origin: str, path: str = "/api/v1/questions/") -> Any:
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )


@pytest.mark.django_db
def test_preflight_from_an_allowed_origin_gets_the_cors_headers(client: Client, cors: None) -> None:
    response = preflight(client, ALLOWED)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "GET" in response["Access-Control-Allow-Methods"]
    # Bearer tokens, not cookies: the API never asks browsers to send credentials.
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["https://evil.example", "http://app.example.org", "null"])
def test_preflight_from_any_other_origin_gets_none(client: Client, cors: None, origin: str) -> None:
    response = preflight(client, origin)
    assert not any(name.lower().startswith("access-control-") for name in response.headers)


@pytest.mark.django_db
def test_cors_is_limited_to_the_api(client: Client, cors: None) -> None:
    response = client.get("/healthz", HTTP_ORIGIN=ALLOWED)
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_error_responses_carry_cors_headers(client: Client, cors: None) -> None:
    response = client.get("/api/v1/questions/999999/", HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == ALLOWED


@pytest.mark.urls("rehearse.core.tests.urls_failing")
@pytest.mark.django_db
def test_a_500_still_carries_cors_headers(cors: None) -> None:
    response = Client(raise_request_exception=False).get("/api/v1/failing/", HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 500
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "Retry-After" in response["Access-Control-Expose-Headers"]


def test_production_sends_security_headers_and_hardened_cookies(tmp_path: Path) -> None:
    """Boot production settings (SQLite in a temp dir) and look at real responses."""
    code = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
client = Client()
api = client.get("/api/v1/questions/", secure=True)
page = client.get("/api/auth/login/", secure=True)
plain = client.get("/api/v1/questions/")
cookie = page.cookies["__Host-csrftoken"]
print(json.dumps({
    "api": dict(api.headers),
    "redirect": [plain.status_code, plain.get("Location")],
    "cookie": {"secure": cookie["secure"], "httponly": cookie["httponly"],
               "samesite": cookie["samesite"], "path": cookie["path"]},
}))
"""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "s" * 64,
        "OIDC_RSA_PRIVATE_KEY": rsa_private_key_pem(),
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    headers = seen["api"]
    assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert seen["redirect"] == [301, "https://testserver/api/v1/questions/"]
    assert seen["cookie"] == {"secure": True, "httponly": True, "samesite": "Lax", "path": "/"}
