"""/healthz and /readyz, with their dependencies really up and really down."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


def test_healthz_answers_without_touching_dependencies(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_database_and_cache(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "cache": True}


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_is_down(client: Client, settings: Any) -> None:
    # A real Redis client pointed at a port where nothing listens.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["checks"] == {"database": True, "cache": False}
    assert "cache" in body["detail"]


def test_readyz_is_503_when_the_database_is_down() -> None:
    """A server whose PostgreSQL is unreachable answers 503, not 500, and says which."""
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz');"
        "print(r.status_code, r['Content-Type'], r.json()['checks'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "ALLOWED_HOSTS": "testserver",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "503 application/problem+json {'database': False, 'cache': True}"
    )
