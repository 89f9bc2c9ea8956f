"""Production refuses to start without a usable OpenID Connect signing key.

(Missing entirely: ``rehearse/core/tests/test_settings.py``, with the other secrets.)
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from rehearse.core.tests.test_settings import GOOD, boot


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def test_the_key_can_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "oidc.pem"
    key_file.write_text(GOOD["OIDC_RSA_PRIVATE_KEY"])
    env = {k: v for k, v in GOOD.items() if k != "OIDC_RSA_PRIVATE_KEY"}
    result = boot({**env, "OIDC_RSA_PRIVATE_KEY_FILE": str(key_file)})
    assert result.returncode == 0, result.stderr


def test_garbage_is_not_a_key() -> None:
    result = boot({**GOOD, "OIDC_RSA_PRIVATE_KEY": "not a key"})
    assert result.returncode != 0
    assert "OIDC_RSA_PRIVATE_KEY is not an unencrypted PEM private key" in result.stderr


def test_a_short_rsa_key_is_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    short = pem(weak)
    result = boot({**GOOD, "OIDC_RSA_PRIVATE_KEY": short})
    assert result.returncode != 0
    assert "at least 2048 bits" in result.stderr


def test_a_key_of_another_kind_is_refused() -> None:
    result = boot({**GOOD, "OIDC_RSA_PRIVATE_KEY": pem(ec.generate_private_key(ec.SECP256R1()))})
    assert result.returncode != 0
    assert "must be an RSA key" in result.stderr
