"""The RSA key that signs OpenID Connect ID tokens: checking one, and making one.

Production reads it from ``OIDC_RSA_PRIVATE_KEY`` (or ``_FILE``) and refuses to start
without a usable one; every app server must share it, or an ID token signed by one
would not verify against the JWKS another publishes. Local settings keep a generated
key under ``var/``; test settings make one per process.

``python -m rehearse.oauth.keys`` prints a new key in PEM form.

Plain ``cryptography``, no Django models: settings import this module.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

MIN_BITS = 2048


def rsa_private_key_pem(bits: int = MIN_BITS) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def checked_rsa_private_key(pem: str, *, name: str = "OIDC_RSA_PRIVATE_KEY") -> str:
    """``pem`` if it is an unencrypted RSA private key of at least 2048 bits."""
    try:
        key = serialization.load_pem_private_key(pem.encode("utf-8"), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"{name} is not an unencrypted PEM private key (make one with "
            f"`python -m rehearse.oauth.keys`): {exc}"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(f"{name} must be an RSA key (ID tokens are signed RS256).")
    if key.key_size < MIN_BITS:
        raise ImproperlyConfigured(f"{name} must have at least {MIN_BITS} bits.")
    return pem


def local_rsa_private_key(path: Path) -> str:
    """The key kept at ``path``, made on first use (owner-only), for the embedded default.

    Kept rather than made at each start so that ID tokens and sessions of a client
    survive a restart of ``make run``.
    """
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        pass
    # Written aside, then linked into place: a concurrent start reads a whole key or none.
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(rsa_private_key_pem())
    try:
        os.link(draft, path)
    except FileExistsError:  # another process made one first: use theirs
        pass
    finally:
        draft.unlink()
    return path.read_text(encoding="ascii")


if __name__ == "__main__":
    print(rsa_private_key_pem(), end="")  # noqa: T201
