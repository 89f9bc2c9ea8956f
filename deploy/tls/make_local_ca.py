#!/usr/bin/env python3
"""Make a local certificate authority and a server certificate for the local stack.

The local stack terminates TLS in nginx exactly as a real server does, so it needs a
certificate chain that clients can verify. This script builds one shaped like a public
CA's (a root, an intermediate, a leaf), with the extensions that strict verifiers
(OpenSSL with X509_V_FLAG_X509_STRICT, sslyze 6's path validation, Mozilla's profile
checks) expect:

- root:         basicConstraints CA:TRUE (critical), keyUsage keyCertSign+cRLSign
                (critical), SKI.
- intermediate: basicConstraints CA:TRUE pathlen:0 (critical), keyUsage keyCertSign+
                cRLSign+digitalSignature (critical), extendedKeyUsage serverAuth, SKI, AKI.
- leaf:         basicConstraints CA:FALSE (critical), keyUsage digitalSignature
                (critical), extendedKeyUsage serverAuth, subjectAltName (NOT critical:
                the subject is not empty, and sslyze 6 rejects a critical SAN there),
                SKI, AKI; valid 90 days (Mozilla's recommended lifespan; its maximum
                is 366).

All keys are ECDSA P-256 signed with SHA-256 (Mozilla "intermediate" accepts it, and it
is cheap for the two-core test machine).

Output directory layout:
    ca.pem            root certificate: the trust anchor clients load
    ca.key            root key (0600)
    intermediate.pem  intermediate certificate
    intermediate.key  intermediate key (0600)
    chain.pem         intermediate + root (what nginx's ssl_trusted_certificate takes)
    server.pem        leaf + intermediate (what nginx's ssl_certificate takes)
    server.key        leaf key (0600)

Idempotent: an existing root and intermediate are reused while they parse, match their
keys and stay valid for 30 more days; the leaf is reissued only when it is missing,
expires within 30 days, was not issued by the current intermediate, or names other hosts.

Usage: make_local_ca.py DIRECTORY [--host NAME_OR_IP ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
ROOT_DAYS = 3650
INTERMEDIATE_DAYS = 1825
LEAF_DAYS = 90
RENEW_BEFORE = dt.timedelta(days=30)
# Backdate notBefore a little so a client whose clock is slightly behind still accepts.
CLOCK_SKEW = dt.timedelta(hours=1)

ROOT_CN = "rehearse local root CA"
INTERMEDIATE_CN = "rehearse local intermediate CA"

PrivateKey = ec.EllipticCurvePrivateKey


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_key() -> PrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "rehearse local stack"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write(path: Path, data: bytes, *, private: bool) -> None:
    """Write atomically; a key file is created 0600 from the start, never chmod-ed later."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _ski(key: PrivateKey) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(key.public_key())


def _aki(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _ca_key_usage(*, digital_signature: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def make_root(key: PrivateKey) -> x509.Certificate:
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(_name(ROOT_CN))
        .issuer_name(_name(ROOT_CN))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=ROOT_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_key_usage(digital_signature=False), critical=True)
        .add_extension(_ski(key), critical=False)
        .sign(key, hashes.SHA256())
    )


def make_intermediate(
    key: PrivateKey, root: x509.Certificate, root_key: PrivateKey
) -> x509.Certificate:
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(_name(INTERMEDIATE_CN))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=INTERMEDIATE_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_ski(key), critical=False)
        .add_extension(_aki(root), critical=False)
        .sign(root_key, hashes.SHA256())
    )


def _general_names(hosts: Iterable[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def make_leaf(
    key: PrivateKey,
    hosts: Sequence[str],
    issuer: x509.Certificate,
    issuer_key: PrivateKey,
) -> x509.Certificate:
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0]))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now - CLOCK_SKEW + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(_general_names(hosts)), critical=False)
        .add_extension(_ski(key), critical=False)
        .add_extension(_aki(issuer), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def _load_pair(cert_path: Path, key_path: Path) -> tuple[x509.Certificate, PrivateKey] | None:
    """Return (certificate, key) if both parse, match, and stay valid long enough.

    cert_path may be a bundle: its first certificate is the one checked.
    """
    try:
        cert = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    if cert.public_key() != key.public_key():
        return None
    if cert.not_valid_after_utc - RENEW_BEFORE < _now():
        return None
    return cert, key


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _leaf_hosts(cert: x509.Certificate) -> set[str]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = san.get_values_for_type(x509.DNSName)
    ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    return set(dns) | set(ips)


def ensure_chain(directory: Path, hosts: Sequence[str] = DEFAULT_HOSTS) -> list[str]:
    """Create or reuse the CA and the server certificate; return what was (re)made."""
    directory.mkdir(parents=True, exist_ok=True)
    made: list[str] = []

    root_pair = _load_pair(directory / "ca.pem", directory / "ca.key")
    if root_pair is None:
        root_key = _new_key()
        root = make_root(root_key)
        _write(directory / "ca.key", _key_pem(root_key), private=True)
        _write(directory / "ca.pem", _pem(root), private=False)
        made.append("root CA")
    else:
        root, root_key = root_pair

    inter_pair = _load_pair(directory / "intermediate.pem", directory / "intermediate.key")
    if inter_pair is None or not _issued_by(inter_pair[0], root):
        inter_key = _new_key()
        inter = make_intermediate(inter_key, root, root_key)
        _write(directory / "intermediate.key", _key_pem(inter_key), private=True)
        _write(directory / "intermediate.pem", _pem(inter), private=False)
        made.append("intermediate CA")
    else:
        inter, inter_key = inter_pair
    chain = _pem(inter) + _pem(root)
    chain_path = directory / "chain.pem"
    if not chain_path.exists() or chain_path.read_bytes() != chain:
        _write(chain_path, chain, private=False)

    leaf_pair = _load_pair(directory / "server.pem", directory / "server.key")
    if (
        leaf_pair is None
        or not _issued_by(leaf_pair[0], inter)
        or _leaf_hosts(leaf_pair[0]) != set(_normalise_hosts(hosts))
    ):
        leaf_key = _new_key()
        leaf = make_leaf(leaf_key, hosts, inter, inter_key)
        _write(directory / "server.key", _key_pem(leaf_key), private=True)
        _write(directory / "server.pem", _pem(leaf) + _pem(inter), private=False)
        made.append("server certificate")
    return made


def _normalise_hosts(hosts: Iterable[str]) -> list[str]:
    out = []
    for host in hosts:
        try:
            out.append(str(ipaddress.ip_address(host)))
        except ValueError:
            out.append(host)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument(
        "--host",
        action="append",
        dest="hosts",
        help=f"DNS name or IP address for the server certificate (default: {DEFAULT_HOSTS})",
    )
    args = parser.parse_args(argv)
    made = ensure_chain(args.directory, tuple(args.hosts or DEFAULT_HOSTS))
    what = ", ".join(made) if made else "nothing (existing certificates are valid)"
    sys.stdout.write(f"{args.directory}: made {what}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
