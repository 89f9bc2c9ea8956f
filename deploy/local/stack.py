#!/usr/bin/env python3
"""Run rehearse's production topology on this machine, without Docker.

    deploy/local/stack.py up                # start (or report that it is already up)
    deploy/local/stack.py status            # what is running
    deploy/local/stack.py down              # stop what `up` started
    deploy/local/stack.py restart-app PORT  # (re)start one gunicorn instance, as `up` does
    deploy/local/stack.py rehearse ARGS...  # a management command with the stack's settings
    deploy/local/stack.py session EMAIL     # a signed-in session for EMAIL (made if missing)

`up` uses the PostgreSQL and Redis already running on this machine and starts, as a real
server would run them:

    nginx (TLS from a local CA)  https://127.0.0.1:8443, http://127.0.0.1:8080 -> 301
      -> gunicorn 127.0.0.1:8101  \\  config.wsgi:application,
      -> gunicorn 127.0.0.1:8102  /   config.settings.production
    PostgreSQL database rehearse_stack (created when missing), Redis db 2.

Everything it makes lives under var/stack/: nginx.conf and the rendered site, the CA and
the server certificate (tls/, and ca.pem for clients), the secret key (0600), pid files
(run/), logs (logs/), static and media files. `down` stops processes by the pids in
run/, and only processes that are what the pid file says they are.

Environment (all optional):
    STACK_HTTP_PORT (8080), STACK_HTTPS_PORT (8443), STACK_APP_PORTS ("8101,8102"),
    STACK_GUNICORN_WORKERS (2 per instance: two instances share this machine's cores),
    STACK_DATABASE_URL (postgres://postgres@127.0.0.1:5432/rehearse_stack),
    STACK_REDIS_URL (redis://127.0.0.1:6379/2), STACK_NGINX (nginx on PATH),
    STACK_THROTTLE_ANON_RATE / STACK_THROTTLE_USER_RATE (1000000/min each: the load
    tests and bench/stack.py send thousands of requests a second from one address;
    deploy/tests/test_stack.py still proves a throttle trips through nginx).

Runs under the project's virtual environment (.venv), re-executing itself there when
started with another Python.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv"
STACK = REPO / "var" / "stack"
RUN = STACK / "run"
LOGS = STACK / "logs"
TLS = STACK / "tls"
TMP = STACK / "tmp"
STATIC = STACK / "static"
MEDIA = STACK / "media"
ACME = STACK / "acme"
SECRET_KEY_FILE = STACK / "secret_key"
OIDC_KEY_FILE = STACK / "oidc_rsa_key.pem"
CA_FOR_CLIENTS = STACK / "ca.pem"
NGINX_CONF = STACK / "nginx.conf"
SITE_CONF = STACK / "rehearse.conf"
NGINX_PID = RUN / "nginx.pid"
GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"
# nginx's worker processes drop to this user when the stack is started as root.
NGINX_WORKER_USER = "www-data"
NGINX_TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def _reexec_in_venv() -> None:
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() != VENV.resolve() and python.exists():
        os.execv(python, [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])  # noqa: S606


def _load(name: str, path: Path) -> ModuleType:
    """Import a sibling deploy script by path (deploy/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise StackError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def say(message: str) -> None:
    print(f"stack: {message}", flush=True)


class StackError(Exception):
    """A step failed; the message says which and where to look."""


@dataclass(frozen=True)
class Config:
    http_port: int
    https_port: int
    app_ports: tuple[int, ...]
    workers: int
    database_url: str
    redis_url: str
    nginx: str
    throttle_anon_rate: str
    throttle_user_rate: str

    @classmethod
    def from_env(cls) -> Config:
        env = os.environ.get
        ports = tuple(int(p) for p in env("STACK_APP_PORTS", "8101,8102").split(",") if p.strip())
        if len(ports) < 2:
            raise StackError("STACK_APP_PORTS needs at least two ports: the stack balances")
        return cls(
            http_port=int(env("STACK_HTTP_PORT", "8080")),
            https_port=int(env("STACK_HTTPS_PORT", "8443")),
            app_ports=ports,
            workers=int(env("STACK_GUNICORN_WORKERS", "2")),
            database_url=env(
                "STACK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rehearse_stack"
            ),
            redis_url=env("STACK_REDIS_URL", "redis://127.0.0.1:6379/2"),
            nginx=env("STACK_NGINX", "") or shutil.which("nginx") or "/usr/sbin/nginx",
            throttle_anon_rate=env("STACK_THROTTLE_ANON_RATE", "1000000/min"),
            throttle_user_rate=env("STACK_THROTTLE_USER_RATE", "1000000/min"),
        )

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}/"

    @property
    def origins(self) -> list[str]:
        return [f"https://{host}:{self.https_port}" for host in ("127.0.0.1", "localhost")]


# --- processes -------------------------------------------------------------------------


def gunicorn_pidfile(port: int) -> Path:
    return RUN / f"gunicorn-{port}.pid"


def read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def process_matches(pid: int, needle: str) -> bool:
    """True if pid is alive and its command line mentions needle (pids get reused)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return needle.encode() in cmdline


def running(pidfile: Path, needle: str) -> int | None:
    pid = read_pid(pidfile)
    if pid is not None and process_matches(pid, needle):
        return pid
    return None


def stop(pidfile: Path, needle: str, sig: signal.Signals, wait: float) -> None:
    """Send sig to the process in pidfile, wait for it to exit, then SIGKILL it."""
    pid = running(pidfile, needle)
    if pid is None:
        pidfile.unlink(missing_ok=True)
        return
    say(f"stopping {pidfile.stem} (pid {pid})")
    os.kill(pid, sig)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and process_matches(pid, needle):
        time.sleep(0.2)
    if process_matches(pid, needle):
        say(f"{pidfile.stem} (pid {pid}) did not stop in {wait:.0f}s: SIGKILL")
        os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise StackError(f"timed out after {timeout:.0f}s waiting for {what}")


def http_status(host: str, port: int, path: str, context: ssl.SSLContext | None = None) -> int:
    conn: http.client.HTTPConnection
    if context is None:
        conn = http.client.HTTPConnection(host, port, timeout=3)
    else:
        conn = http.client.HTTPSConnection(host, port, timeout=3, context=context)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def answers(host: str, port: int, path: str, context: ssl.SSLContext | None = None) -> bool:
    try:
        return http_status(host, port, path, context) == 200
    except (OSError, http.client.HTTPException):
        return False


def client_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(CA_FOR_CLIENTS))


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} is missing)"


# --- the pieces ------------------------------------------------------------------------


def make_dirs() -> None:
    for directory in (STACK, RUN, LOGS, TLS, TMP, STATIC, MEDIA, ACME / ".well-known"):
        directory.mkdir(parents=True, exist_ok=True)


def ensure_tls() -> None:
    ca = _load("make_local_ca", REPO / "deploy" / "tls" / "make_local_ca.py")
    made = ca.ensure_chain(TLS)
    if made:
        say(f"TLS: made {', '.join(made)} in {TLS.relative_to(REPO)}")
    shutil.copyfile(TLS / "ca.pem", CA_FOR_CLIENTS)
    dhparam = TLS / "ffdhe2048.pem"
    if not dhparam.exists():
        # The RFC 7919 group, as Mozilla's config asks: a named group, nothing to generate.
        subprocess.run(
            ["openssl", "genpkey", "-genparam", "-algorithm", "DH",
             "-pkeyopt", "group:ffdhe2048", "-out", str(dhparam)],
            check=True, capture_output=True,
        )  # fmt: skip


def ensure_secret_key() -> None:
    if SECRET_KEY_FILE.exists():
        return
    fd = os.open(SECRET_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(64) + "\n")
    say(f"made a secret key in {SECRET_KEY_FILE.relative_to(REPO)}")


def ensure_oidc_key() -> None:
    """The RSA key production signs OpenID Connect ID tokens with (OIDC_RSA_PRIVATE_KEY)."""
    if OIDC_KEY_FILE.exists():
        return
    made = TMP / OIDC_KEY_FILE.name
    made.unlink(missing_ok=True)
    # openssl writes it 0600 under this umask; linked into place whole, never half-written.
    old_umask = os.umask(0o077)
    try:
        subprocess.run(
            ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
             "-out", str(made)],
            check=True, capture_output=True,
        )  # fmt: skip
    finally:
        os.umask(old_umask)
    os.replace(made, OIDC_KEY_FILE)
    say(f"made an OpenID Connect signing key in {OIDC_KEY_FILE.relative_to(REPO)}")


def ensure_app_secrets() -> None:
    """What production settings refuse to start without; made once, kept under var/stack."""
    make_dirs()
    ensure_secret_key()
    ensure_oidc_key()


def ensure_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name}")


# A developer's shell must not leak these into the stack's settings.
LEAKY_VARIABLES = {
    "SECRET_KEY",
    "OIDC_RSA_PRIVATE_KEY",
    "DEBUG",
    "REHEARSE_VAR_DIR",
    "DJANGO_SETTINGS_MODULE",
}


def app_env(config: Config) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in LEAKY_VARIABLES and not key.startswith("GUNICORN_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY_FILE=str(SECRET_KEY_FILE),
        OIDC_RSA_PRIVATE_KEY_FILE=str(OIDC_KEY_FILE),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=config.database_url,
        REDIS_URL=config.redis_url,
        CORS_ALLOWED_ORIGINS=",".join(config.origins),
        CSRF_TRUSTED_ORIGINS=",".join(config.origins),
        STATIC_ROOT=str(STATIC),
        MEDIA_ROOT=str(MEDIA),
        NUM_PROXIES="1",
        THROTTLE_ANON_RATE=config.throttle_anon_rate,
        THROTTLE_USER_RATE=config.throttle_user_rate,
    )
    return env


def rehearse_command(config: Config, args: list[str]) -> int:
    """Run `rehearse ARGS` as the app servers would: same settings, database, cache.

    For tests and benchmarks that need a real write path (an edit through the ORM, so
    its signals fire) or a user and a session.
    """
    ensure_app_secrets()
    return subprocess.run(
        [str(VENV / "bin" / "rehearse"), *args], cwd=REPO, env=app_env(config), check=False
    ).returncode


# Signs EMAIL in the way django.contrib.auth.login() does, without a password (the user
# gets an unusable one): the session key is what a browser holds in __Host-sessionid.
_SESSION_CODE = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from rehearse.accounts.models import User
user = User.objects.filter(email=EMAIL).first() or User.objects.create_user(EMAIL)
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(settings.SESSION_COOKIE_NAME + "=" + session.session_key)
"""


def make_session(config: Config, email: str) -> str:
    """A Cookie header value that signs `email` in on the stack."""
    ensure_app_secrets()
    result = subprocess.run(
        [str(VENV / "bin" / "rehearse"), "shell", "-c", f"EMAIL = {email!r}\n{_SESSION_CODE}"],
        cwd=REPO,
        env=app_env(config),
        capture_output=True,
        text=True,
    )
    cookie = result.stdout.strip().splitlines()[-1:] if result.returncode == 0 else []
    if not cookie or "=" not in cookie[0]:
        raise StackError(f"could not make a session for {email}:\n{result.stdout}{result.stderr}")
    return cookie[0]


def manage(config: Config) -> None:
    rehearse = VENV / "bin" / "rehearse"
    env = app_env(config)
    content = sorted(str(p) for p in (REPO / "content").glob("*.md"))
    steps: list[list[str]] = [
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput", "--verbosity", "0"],
    ]
    if content:
        steps.append(["import-questions", *content])
    for step in steps:
        say(f"rehearse {step[0]}")
        result = subprocess.run(
            [str(rehearse), *step], cwd=REPO, env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise StackError(
                f"`rehearse {' '.join(step[:2])}` failed:\n{result.stdout}{result.stderr}"
            )


def start_gunicorn(config: Config, port: int) -> None:
    pidfile = gunicorn_pidfile(port)
    env = app_env(config)
    env.update(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(config.workers),
        GUNICORN_PIDFILE=str(pidfile),
        GUNICORN_ACCESSLOG=str(LOGS / f"gunicorn-{port}.access.log"),
        GUNICORN_ERRORLOG=str(LOGS / f"gunicorn-{port}.error.log"),
        # `down` should not wait the production 30 s for idle keep-alive connections.
        GUNICORN_GRACEFUL_TIMEOUT="10",
    )
    output = open(LOGS / f"gunicorn-{port}.output.log", "ab")  # noqa: SIM115 - the child keeps it
    with output:
        process = subprocess.Popen(
            [str(VENV / "bin" / "gunicorn"), "-c", str(GUNICORN_CONF)],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            start_new_session=True,  # not killed with the shell that ran `up`
        )

    def ready() -> bool:
        if process.poll() is not None:
            raise StackError(
                f"gunicorn :{port} exited with {process.returncode}:\n"
                + tail(LOGS / f"gunicorn-{port}.error.log")
                + "\n"
                + tail(LOGS / f"gunicorn-{port}.output.log")
            )
        return pidfile.exists() and answers("127.0.0.1", port, "/healthz")

    wait_until(ready, 60, f"gunicorn on 127.0.0.1:{port}")
    say(f"gunicorn 127.0.0.1:{port} up (pid {process.pid}, {config.workers} workers)")


def render_nginx(config: Config) -> None:
    render = _load("render", REPO / "deploy" / "nginx" / "render.py")
    site = render.render(
        {
            "SERVER_NAME": "localhost 127.0.0.1",
            "HTTP_LISTEN": f"127.0.0.1:{config.http_port}",
            "HTTPS_LISTEN": f"127.0.0.1:{config.https_port}",
            "HTTPS_PORT_SUFFIX": f":{config.https_port}",
            "UPSTREAM_SERVERS": render.upstream_servers(f"127.0.0.1:{p}" for p in config.app_ports),
            "SSL_CERTIFICATE": str(TLS / "server.pem"),
            "SSL_CERTIFICATE_KEY": str(TLS / "server.key"),
            "SSL_TRUSTED_CERTIFICATE": str(TLS / "chain.pem"),
            "SSL_DHPARAM": str(TLS / "ffdhe2048.pem"),
            # The local CA runs no OCSP responder.
            "SSL_STAPLING": "off",
            "RESOLVER": "127.0.0.1",
            "ACME_ROOT": str(ACME),
            "STATIC_ROOT": str(STATIC),
            "MEDIA_ROOT": str(MEDIA),
            "LOG_DIR": str(LOGS),
        }
    )
    SITE_CONF.write_text(site)
    worker = _worker_user()
    user = f"user {worker};" if worker else "# not root: no user switch"
    temp_paths = "\n".join(f"    {kind}_temp_path {TMP / kind};" for kind in NGINX_TEMP_KINDS)
    NGINX_CONF.write_text(
        f"""# Generated by deploy/local/stack.py: the main nginx.conf of the local stack.
# The site itself is rehearse.conf next to it, rendered from
# deploy/nginx/rehearse.conf.template.
{user}
worker_processes 1;
pid {NGINX_PID};
error_log {LOGS / "nginx.error.log"} warn;

events {{
    worker_connections 1024;
}}

http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    access_log off;
{temp_paths}
    include {SITE_CONF};
}}
"""
    )
    if worker:
        # Workers write request bodies and buffered responses here.
        for kind in NGINX_TEMP_KINDS:
            (TMP / kind).mkdir(exist_ok=True)
            shutil.chown(TMP / kind, user=worker)


def _worker_user() -> str | None:
    """The user nginx's workers drop to when the stack is started as root.

    www-data, as on a real server, when it can reach the files; a checkout under a
    private directory (a CI runner's mktemp -d, mode 0700) cannot be read by anyone
    else, and then this local test stack keeps its workers as root rather than fail.
    """
    if os.geteuid() != 0:
        return None
    blocked = next(
        (parent for parent in [STATIC, *STATIC.parents] if not parent.stat().st_mode & 0o001),
        None,
    )
    if blocked is None:
        return NGINX_WORKER_USER
    say(
        f"{blocked} is not searchable by others: nginx workers run as root in this local "
        f"stack instead of {NGINX_WORKER_USER}"
    )
    return "root"


def nginx_command(config: Config, *args: str) -> list[str]:
    error_log = LOGS / "nginx.error.log"
    return [config.nginx, "-p", str(STACK), "-c", str(NGINX_CONF), "-e", str(error_log), *args]


def start_nginx(config: Config) -> None:
    test = subprocess.run(nginx_command(config, "-t", "-q"), capture_output=True, text=True)
    if test.returncode != 0:
        raise StackError(f"nginx -t failed:\n{test.stdout}{test.stderr}")
    # nginx forks into the background itself; its master writes NGINX_PID.
    started = subprocess.run(nginx_command(config), capture_output=True, text=True)
    if started.returncode != 0:
        raise StackError(f"nginx did not start:\n{started.stdout}{started.stderr}")
    wait_until(lambda: running(NGINX_PID, "nginx") is not None, 10, "nginx's pid file")
    say(f"nginx up (pid {read_pid(NGINX_PID)})")


# --- commands --------------------------------------------------------------------------


def components(config: Config) -> Iterator[tuple[str, Path, str]]:
    """(label, pid file, command-line needle) of everything `up` starts."""
    for port in config.app_ports:
        yield f"gunicorn 127.0.0.1:{port}", gunicorn_pidfile(port), "gunicorn"
    yield "nginx", NGINX_PID, "nginx"


def is_up(config: Config) -> bool:
    all_running = all(running(pidfile, needle) for _, pidfile, needle in components(config))
    return (
        all_running
        and CA_FOR_CLIENTS.exists()
        and answers("127.0.0.1", config.https_port, "/healthz", client_context())
    )


def up(config: Config) -> None:
    if is_up(config):
        say(f"already up: {config.url}")
        return
    if any(running(pidfile, needle) for _, pidfile, needle in components(config)):
        say("partly up: stopping what runs, then starting everything")
        down(config)
    make_dirs()
    ensure_tls()
    ensure_app_secrets()
    ensure_database(config.database_url)
    manage(config)
    try:
        for port in config.app_ports:
            start_gunicorn(config, port)
        render_nginx(config)
        start_nginx(config)
        wait_until(
            lambda: answers("127.0.0.1", config.https_port, "/healthz", client_context()),
            30,
            f"{config.url}healthz through nginx",
        )
    except BaseException:
        say("start failed: stopping what did start")
        down(config)
        raise
    say(f"up: {config.url} (CA certificate for clients: {CA_FOR_CLIENTS.relative_to(REPO)})")


def restart_app(config: Config, port: int) -> None:
    """Stop the instance on `port` if it runs, then start it with `up`'s command.

    After a crash (the failover test kills one with SIGKILL) its pid file names a dead
    process, which `stop` recognises and removes.
    """
    if port not in config.app_ports:
        raise StackError(f"{port} is not one of the app ports {config.app_ports}")
    ensure_app_secrets()
    stop(gunicorn_pidfile(port), "gunicorn", signal.SIGTERM, wait=20)
    start_gunicorn(config, port)


def down(config: Config) -> None:
    # nginx first, gracefully (SIGQUIT lets it finish in-flight requests), so no client
    # is sent to an app server that is already gone.
    stop(NGINX_PID, "nginx", signal.SIGQUIT, wait=15)
    for port in config.app_ports:
        # SIGTERM is gunicorn's graceful stop (up to GUNICORN_GRACEFUL_TIMEOUT).
        stop(gunicorn_pidfile(port), "gunicorn", signal.SIGTERM, wait=20)
    say("down")


def status(config: Config) -> int:
    for label, pidfile, needle in components(config):
        pid = running(pidfile, needle)
        say(f"{label}: {'running, pid ' + str(pid) if pid else 'stopped'}")
    if is_up(config):
        say(f"up: {config.url}")
        return 0
    say("not up")
    return 1


def main(argv: list[str] | None = None) -> int:
    _reexec_in_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start the stack (or say it is up)")
    commands.add_parser("down", help="stop what up started")
    commands.add_parser("status", help="show each process")
    restart = commands.add_parser("restart-app", help="(re)start one gunicorn instance")
    restart.add_argument("port", type=int)
    management = commands.add_parser(
        "rehearse", help="run a management command with the stack's environment"
    )
    management.add_argument("args", nargs=argparse.REMAINDER)
    session = commands.add_parser("session", help="print a Cookie that signs EMAIL in")
    session.add_argument("email")
    args = parser.parse_args(argv)
    try:
        config = Config.from_env()
        if args.command == "up":
            up(config)
        elif args.command == "down":
            down(config)
        elif args.command == "restart-app":
            restart_app(config, args.port)
        elif args.command == "rehearse":
            return rehearse_command(config, args.args)
        elif args.command == "session":
            print(make_session(config, args.email))
        else:
            return status(config)
    except (StackError, subprocess.CalledProcessError, OSError, ValueError) as exc:
        say(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
