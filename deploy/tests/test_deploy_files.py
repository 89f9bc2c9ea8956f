"""Tests of the deploy files that need no running stack: they run in the normal suite.

nginx and systemd-analyze are used when installed (CI installs nginx); tests that need
them are skipped with the reason otherwise.
"""

from __future__ import annotations

import datetime as dt
import http.client
import http.server
import importlib.util
import ipaddress
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store

DEPLOY = Path(__file__).resolve().parents[1]
REPO = DEPLOY.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")


def load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render = load("render", DEPLOY / "nginx" / "render.py")
make_local_ca = load("make_local_ca", DEPLOY / "tls" / "make_local_ca.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


# --- the nginx template ------------------------------------------------------------------


def test_real_server_example_is_the_rendered_template() -> None:
    assert render.main(["--check"]) == 0, "run deploy/nginx/render.py --write"


def test_render_refuses_missing_and_unknown_values() -> None:
    with pytest.raises(ValueError, match="missing: \\['B'\\]"):
        render.render({"A": "1"}, template="${A} ${B}")
    with pytest.raises(ValueError, match="unknown: \\['C'\\]"):
        render.render({"A": "1", "C": "3"}, template="${A} $host")


def test_render_leaves_nginx_variables_alone() -> None:
    assert render.render({"A": "x"}, template="${A}$host ${A}") == "x$host x"


def test_compose_sets_every_template_placeholder_for_the_nginx_image() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    environment = compose["services"]["nginx"]["environment"]
    assert set(environment) == render.placeholders(render.TEMPLATE.read_text())


def test_the_bank_cache_bypass_names_productions_session_cookie() -> None:
    production = (REPO / "config" / "settings" / "production.py").read_text()
    name = re.search(r'^SESSION_COOKIE_NAME = "([^"]+)"', production, re.MULTILINE)
    assert name, "production settings no longer set SESSION_COOKIE_NAME literally"
    template = render.TEMPLATE.read_text()
    bypass = re.search(r'map \$http_cookie \$rehearse_session_cookie \{\s*"([^"]+)"', template)
    assert bypass, "the template lost its session-cookie map"
    pattern = bypass.group(1).removeprefix("~")  # nginx's mark of a regex
    assert re.search(pattern, f"theme=dark; {name.group(1)}=abc")
    assert re.search(pattern, f"{name.group(1)}=abc")
    assert not re.search(pattern, f"not{name.group(1)}=abc")


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("tls")
    make_local_ca.ensure_chain(directory)
    subprocess.run(
        ["openssl", "genpkey", "-genparam", "-algorithm", "DH",
         "-pkeyopt", "group:ffdhe2048", "-out", str(directory / "ffdhe2048.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    return directory


def write_nginx_conf(directory: Path, site_values: dict[str, str]) -> Path:
    (directory / "site.conf").write_text(render.render(site_values))
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / kind).mkdir(exist_ok=True)
    conf = directory / "nginx.conf"
    temp_paths = "\n".join(
        f"{kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Workers keep root's identity here: pytest's temporary directories are private.
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(
        f"""{user}
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    {temp_paths}
    include {directory / "site.conf"};
}}
"""
    )
    return conf


def nginx(conf: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert NGINX is not None
    command = [NGINX, "-p", str(conf.parent), "-c", str(conf), "-e", str(conf.parent / "e.log")]
    return subprocess.run([*command, *args], capture_output=True, text=True)


@needs_nginx
def test_real_server_example_passes_nginx_t(tmp_path: Path, tls_dir: Path) -> None:
    values = {
        **render.EXAMPLE_VALUES,
        # Only the files a real server has and this machine lacks are swapped.
        "SSL_CERTIFICATE": str(tls_dir / "server.pem"),
        "SSL_CERTIFICATE_KEY": str(tls_dir / "server.key"),
        "SSL_TRUSTED_CERTIFICATE": str(tls_dir / "chain.pem"),
        "SSL_DHPARAM": str(tls_dir / "ffdhe2048.pem"),
        "LOG_DIR": str(tmp_path),
    }
    result = nginx(write_nginx_conf(tmp_path, values), "-t")
    assert result.returncode == 0, result.stderr


def local_values(tls_dir: Path, directory: Path, https: int, http_: int, upstreams: list[int]):
    return {
        "SERVER_NAME": "localhost 127.0.0.1",
        "HTTP_LISTEN": f"127.0.0.1:{http_}",
        "HTTPS_LISTEN": f"127.0.0.1:{https}",
        "HTTPS_PORT_SUFFIX": f":{https}",
        "UPSTREAM_SERVERS": render.upstream_servers(f"127.0.0.1:{p}" for p in upstreams),
        "SSL_CERTIFICATE": str(tls_dir / "server.pem"),
        "SSL_CERTIFICATE_KEY": str(tls_dir / "server.key"),
        "SSL_TRUSTED_CERTIFICATE": str(tls_dir / "chain.pem"),
        "SSL_DHPARAM": str(tls_dir / "ffdhe2048.pem"),
        "SSL_STAPLING": "off",
        "RESOLVER": "127.0.0.1",
        "ACME_ROOT": str(directory),
        "STATIC_ROOT": str(directory),
        "MEDIA_ROOT": str(directory),
        "LOG_DIR": str(directory),
    }


class Upstream(http.server.ThreadingHTTPServer):
    """A fake app server that counts what reaches it; `broken` ones never answer."""

    def __init__(self, port: int, *, broken: bool) -> None:
        self.broken = broken
        self.received: Counter[str] = Counter()
        super().__init__(("127.0.0.1", port), UpstreamHandler)


class UpstreamHandler(http.server.BaseHTTPRequestHandler):
    server: Upstream

    def handle_one(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received[self.command] += 1
        if self.server.broken:
            # The request arrived, then the connection dies: did it run? nginx can't know.
            self.close_connection = True
            return
        body = b"served"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = handle_one
    do_POST = handle_one

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def balanced_nginx(tmp_path: Path, tls_dir: Path) -> Iterator[tuple[int, Upstream, Upstream]]:
    broken, healthy = Upstream(free_port(), broken=True), Upstream(free_port(), broken=False)
    for upstream in (broken, healthy):
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
    https = free_port()
    values = local_values(
        tls_dir, tmp_path, https, free_port(), [broken.server_port, healthy.server_port]
    )
    conf = write_nginx_conf(tmp_path, values)
    started = nginx(conf)
    assert started.returncode == 0, started.stderr
    try:
        wait_for_port(https)
        yield https, broken, healthy
    finally:
        nginx(conf, "-s", "stop")
        for upstream in (broken, healthy):
            upstream.shutdown()
            upstream.server_close()


@needs_nginx
def test_nginx_retries_idempotent_requests_and_never_resends_a_post(
    balanced_nginx: tuple[int, Upstream, Upstream], tls_dir: Path
) -> None:
    https, broken, healthy = balanced_nginx
    context = ssl.create_default_context(cafile=str(tls_dir / "ca.pem"))

    def send(method: str) -> int:
        conn = http.client.HTTPSConnection("127.0.0.1", https, context=context, timeout=10)
        try:
            conn.request(method, "/api/v1/x", body=b"{}" if method == "POST" else None)
            return conn.getresponse().status
        finally:
            conn.close()

    # Round robin between equals: within two POSTs one lands on the broken server.
    post_statuses = [send("POST"), send("POST")]
    assert broken.received["POST"] >= 1
    # That POST was not resent to the healthy server: it failed with 502 instead.
    assert post_statuses.count(502) == broken.received["POST"]
    assert healthy.received["POST"] == post_statuses.count(200)

    get_statuses = [send("GET") for _ in range(4)]
    assert get_statuses == [200] * 4
    # A GET that hit the broken server was retried on the healthy one.
    assert healthy.received["GET"] == 4


# --- gunicorn --------------------------------------------------------------------------------


@pytest.fixture
def gunicorn_conf() -> ModuleType:
    return load("gunicorn_conf", GUNICORN_CONF)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1:8001", True),
        ("127.0.0.2:8001", True),
        ("[::1]:8001", True),
        ("localhost:8001", True),
        ("unix:/run/rehearse/gunicorn.sock", True),
        ("fd://3", True),
        ("0.0.0.0:8001", False),
        ("[::]:8001", False),
        ("10.0.0.13:8001", False),
        ("app.internal:8001", False),
    ],
)
def test_loopback_detection(gunicorn_conf: ModuleType, address: str, loopback: bool) -> None:
    assert gunicorn_conf.is_loopback_address(address) is loopback


def test_default_workers_follow_the_cores_with_a_cap(gunicorn_conf: ModuleType) -> None:
    assert gunicorn_conf.default_workers(1, 12) == 3
    assert gunicorn_conf.default_workers(2, 12) == 5
    assert gunicorn_conf.default_workers(32, 12) == 12


def gunicorn_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    env.update(extra)
    return env


def check_config(**env: str) -> subprocess.CompletedProcess[str]:
    # The stdlib's demo WSGI app stands in for rehearse: the settings are under test.
    return subprocess.run(
        [str(GUNICORN), "-c", str(GUNICORN_CONF), "--check-config",
         "wsgiref.simple_server:demo_app"],
        env=gunicorn_env(**env), capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_config_is_valid_for_gunicorn() -> None:
    result = check_config()
    assert result.returncode == 0, result.stderr


def test_config_refuses_a_public_bind_without_the_override() -> None:
    refused = check_config(GUNICORN_BIND="0.0.0.0:8001")
    assert refused.returncode != 0
    assert "GUNICORN_ALLOW_PUBLIC_BIND" in refused.stdout + refused.stderr
    allowed = check_config(GUNICORN_BIND="0.0.0.0:8001", GUNICORN_ALLOW_PUBLIC_BIND="1")
    assert allowed.returncode == 0, allowed.stderr


def test_command_line_bind_is_checked_too(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(GUNICORN), "-c", str(GUNICORN_CONF), "--bind", "0.0.0.0:0",
         "--pid", str(tmp_path / "pid"), "wsgiref.simple_server:demo_app"],
        env=gunicorn_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "refusing to listen on non-loopback" in result.stderr
    assert not (tmp_path / "pid").exists()


def test_access_log_is_one_json_object_per_line(tmp_path: Path) -> None:
    port = free_port()
    access_log = tmp_path / "access.log"
    server = subprocess.Popen(
        [str(GUNICORN), "-c", str(GUNICORN_CONF), "wsgiref.simple_server:demo_app"],
        env=gunicorn_env(
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS="1",
            GUNICORN_ACCESSLOG=str(access_log),
            GUNICORN_ERRORLOG=str(tmp_path / "error.log"),
        ),
    )
    try:
        wait_for_port(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "GET",
            "/a%22b\\c?token=secret",
            headers={"X-Request-ID": "abc123def456", "X-Forwarded-For": "198.51.100.7"},
        )
        conn.getresponse().read()
        conn.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not access_log.read_text():
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    (line,) = access_log.read_text().splitlines()
    record = json.loads(line)
    assert record["request_id"] == "abc123def456"
    assert record["method"] == "GET"
    assert record["path"] == '/a"b\\c'
    assert record["status"] == 200
    assert record["bytes"] > 0
    assert record["duration_ms"] >= 0
    assert record["remote_addr"] == "127.0.0.1"
    assert record["forwarded_for"] == "198.51.100.7"
    assert "secret" not in line


# --- the local CA ---------------------------------------------------------------------------


def test_chain_passes_strict_web_pki_validation(tmp_path: Path) -> None:
    """cryptography's verifier: the one sslyze 6 validates certificate paths with."""
    make_local_ca.ensure_chain(tmp_path)
    root = x509.load_pem_x509_certificate((tmp_path / "ca.pem").read_bytes())
    leaf, intermediate = x509.load_pem_x509_certificates((tmp_path / "server.pem").read_bytes())
    for name in (x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))):
        verifier = PolicyBuilder().store(Store([root])).build_server_verifier(name)
        chain = verifier.verify(leaf, [intermediate])
        assert len(chain) == 3


def test_leaf_is_short_lived_with_a_non_critical_san(tmp_path: Path) -> None:
    make_local_ca.ensure_chain(tmp_path)
    leaf = x509.load_pem_x509_certificates((tmp_path / "server.pem").read_bytes())[0]
    assert not leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).critical
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc <= dt.timedelta(days=90)


def test_keys_are_private(tmp_path: Path) -> None:
    make_local_ca.ensure_chain(tmp_path)
    for key in ("ca.key", "intermediate.key", "server.key"):
        assert (tmp_path / key).stat().st_mode & 0o777 == 0o600


def test_an_existing_valid_chain_is_reused(tmp_path: Path) -> None:
    assert make_local_ca.ensure_chain(tmp_path) == [
        "root CA",
        "intermediate CA",
        "server certificate",
    ]
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert make_local_ca.ensure_chain(tmp_path) == []
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_only_the_leaf_is_reissued_for_other_hosts(tmp_path: Path) -> None:
    make_local_ca.ensure_chain(tmp_path)
    ca = (tmp_path / "ca.pem").read_bytes()
    assert make_local_ca.ensure_chain(tmp_path, ["rehearse.test"]) == ["server certificate"]
    assert (tmp_path / "ca.pem").read_bytes() == ca


# --- systemd -------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (DEPLOY / "systemd" / "rehearse@.service").read_text()
    # verify checks that ExecStart exists; the server's venv does not exist here.
    unit = unit.replace("/srv/rehearse/venv/bin/gunicorn", "/bin/true")
    (tmp_path / "rehearse@.service").write_text(unit)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "rehearse@8001.service")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_new_root_reissues_everything_below_it(tmp_path: Path) -> None:
    make_local_ca.ensure_chain(tmp_path)
    (tmp_path / "ca.pem").unlink()
    assert make_local_ca.ensure_chain(tmp_path) == [
        "root CA",
        "intermediate CA",
        "server certificate",
    ]
