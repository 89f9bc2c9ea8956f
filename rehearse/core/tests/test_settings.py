"""Production settings refuse to start when they would be unsafe.

Each case imports the production settings in a fresh interpreter with a crafted
environment, exactly as gunicorn would at boot.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rehearse.oauth.keys import rsa_private_key_pem

ROOT = Path(__file__).resolve().parents[3]
GOOD = {
    "SECRET_KEY": "k" * 64,
    "ALLOWED_HOSTS": "rehearse.example.org",
    "DATABASE_URL": "postgres://rehearse@127.0.0.1:5432/rehearse",
    "OIDC_RSA_PRIVATE_KEY": rsa_private_key_pem(),
}


def boot(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {*GOOD, "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_boots_with_its_secrets() -> None:
    result = boot(GOOD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS"),
        ("DATABASE_URL", "DATABASE_URL"),
        ("OIDC_RSA_PRIVATE_KEY", "OIDC_RSA_PRIVATE_KEY"),
    ],
)
def test_production_refuses_to_start_without(missing: str, message: str) -> None:
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = boot(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_refuses_debug() -> None:
    result = boot({**GOOD, "DEBUG": "true"})
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = boot({**GOOD, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("f" * 64 + "\n")
    env = {k: v for k, v in GOOD.items() if k != "SECRET_KEY"}
    code_env = {**env, "SECRET_KEY_FILE": str(secret)}
    result = boot(code_env)
    assert result.returncode == 0, result.stderr


def test_unreadable_secret_file_is_a_clear_error(tmp_path: Path) -> None:
    env = {k: v for k, v in GOOD.items() if k != "SECRET_KEY"}
    result = boot({**env, "SECRET_KEY_FILE": str(tmp_path / "missing")})
    assert result.returncode != 0
    assert "SECRET_KEY_FILE" in result.stderr


def test_a_malformed_boolean_is_refused() -> None:
    result = boot({**GOOD, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "not a boolean" in result.stderr
