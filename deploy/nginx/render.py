#!/usr/bin/env python3
"""Render the nginx site template, rehearse.conf.template, into a usable site file.

There is one template. The local stack renders it with local paths and ports
(deploy/local/stack.py imports render()); the real-server example, rehearse.conf, is the
same template rendered with EXAMPLE_VALUES and committed so it can be read and copied:

    deploy/nginx/render.py --write   # regenerate rehearse.conf after editing the template
    deploy/nginx/render.py --check   # exit 1 if rehearse.conf is out of date (a test runs it)

Only ${UPPER_CASE} names are placeholders; nginx's own $variables pass through untouched.
A placeholder without a value, or a value nothing uses, is an error.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "rehearse.conf.template"
EXAMPLE = HERE / "rehearse.conf"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")

GENERATED_NOTICE = (
    "# GENERATED from rehearse.conf.template by deploy/nginx/render.py --write: edit the\n"
    "# template, not this file. The real-server example: replace rehearse.example.com,\n"
    "# the upstream addresses and the paths with yours (docs/deploy.md walks through it).\n"
    "#\n"
)


def upstream_servers(addresses: Iterable[str]) -> str:
    """The UPSTREAM_SERVERS value: one server line per app server address."""
    return "\n".join(f"    server {address} max_fails=3 fail_timeout=10s;" for address in addresses)


# A single Debian 12 host: two gunicorn instances (rehearse@8001, rehearse@8002), a
# Let's Encrypt certificate obtained with certbot --webroot.
EXAMPLE_VALUES: dict[str, str] = {
    "SERVER_NAME": "rehearse.example.com",
    "HTTP_LISTEN": "80",
    "HTTPS_LISTEN": "443",
    "HTTPS_PORT_SUFFIX": "",
    "UPSTREAM_SERVERS": upstream_servers(["127.0.0.1:8001", "127.0.0.1:8002"]),
    "SSL_CERTIFICATE": "/etc/letsencrypt/live/rehearse.example.com/fullchain.pem",
    "SSL_CERTIFICATE_KEY": "/etc/letsencrypt/live/rehearse.example.com/privkey.pem",
    "SSL_TRUSTED_CERTIFICATE": "/etc/letsencrypt/live/rehearse.example.com/chain.pem",
    "SSL_DHPARAM": "/etc/nginx/ffdhe2048.pem",
    "SSL_STAPLING": "on",
    "RESOLVER": "127.0.0.1",
    "ACME_ROOT": "/var/www/letsencrypt",
    "STATIC_ROOT": "/srv/rehearse/var/static",
    "MEDIA_ROOT": "/srv/rehearse/var/media",
    "LOG_DIR": "/var/log/nginx",
}


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def render(values: Mapping[str, str], template: str | None = None) -> str:
    """Fill in every placeholder of the template; refuse missing or unknown names."""
    text = TEMPLATE.read_text() if template is None else template
    wanted = placeholders(text)
    missing = sorted(wanted - values.keys())
    unused = sorted(values.keys() - wanted)
    if missing or unused:
        raise ValueError(f"nginx template placeholders missing: {missing}, unknown: {unused}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def render_example() -> str:
    return GENERATED_NOTICE + render(EXAMPLE_VALUES)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help=f"write {EXAMPLE.name}")
    action.add_argument("--check", action="store_true", help=f"check {EXAMPLE.name} is current")
    args = parser.parse_args(argv)
    text = render_example()
    if args.write:
        EXAMPLE.write_text(text)
    elif args.check:
        if not EXAMPLE.exists() or EXAMPLE.read_text() != text:
            sys.stderr.write(f"{EXAMPLE} is out of date: run {Path(__file__).name} --write\n")
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
