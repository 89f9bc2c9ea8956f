"""Gunicorn settings for rehearse app servers behind nginx.

Every app server (systemd unit, container, local stack) starts the same way:

    gunicorn -c deploy/gunicorn.conf.py

and differs only in environment variables:

    GUNICORN_BIND                 address to listen on: host:port or unix:/path
                                  (default 127.0.0.1:8001). A non-loopback TCP address is
                                  refused unless GUNICORN_ALLOW_PUBLIC_BIND=1: the app
                                  trusts X-Forwarded-* from its proxy, so it must only be
                                  reachable through that proxy.
    GUNICORN_WORKERS              worker processes (default 2 * cores + 1, at most
                                  GUNICORN_MAX_WORKERS, default 12)
    GUNICORN_WORKER_CLASS         gthread (default) or sync; see WORKER CLASS below
    GUNICORN_THREADS              threads per gthread worker (default 4)
    GUNICORN_TIMEOUT              seconds a worker may stay silent before it is killed (30)
    GUNICORN_GRACEFUL_TIMEOUT     seconds to finish in-flight requests on stop/reload (30)
    GUNICORN_KEEPALIVE            seconds an idle keep-alive connection is kept (75)
    GUNICORN_MAX_REQUESTS         recycle a worker after this many requests (1000; 0 = never)
    GUNICORN_MAX_REQUESTS_JITTER  random extra requests, so workers do not recycle together
                                  (default a tenth of GUNICORN_MAX_REQUESTS)
    GUNICORN_FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-Proto is believed (127.0.0.1)
    GUNICORN_PIDFILE              where the master writes its pid (none by default)
    GUNICORN_ACCESSLOG            access log file, "-" for stdout (default "-")
    GUNICORN_ERRORLOG             error log file, "-" for stderr (default "-")
    GUNICORN_LOGLEVEL             error log level (info)
    GUNICORN_CONTROL_SOCKET       path of gunicornc's control socket; unset = no socket
                                  (gunicorn >= 25 otherwise creates ~/.gunicorn/gunicorn.ctl,
                                  which two instances on one host would fight over)

WORKER CLASS. gthread by default, for three reasons:
1. rehearse's requests wait more than they compute: PostgreSQL queries, Redis for the
   cache and throttle counters, and the kata grader, which runs submitted code in a
   bubblewrap subprocess for up to a few seconds. A sync worker is blocked for that whole
   wait; a gthread worker's other threads keep serving.
2. gthread keeps HTTP/1.1 connections alive, so nginx's upstream `keepalive` pool reuses
   them; the sync worker closes every connection after one response, which costs a TCP
   handshake per request and leaves sockets in TIME_WAIT.
3. Threads share one process's memory: 4 threads cost far less than 4 more processes.
The price: Python code that burns CPU holds the GIL, so CPU-bound throughput still comes
from processes (workers), not threads; and every thread may hold its own database
connection (workers * threads per instance; size PostgreSQL's max_connections for it).
Slow clients are not a reason for either class here: nginx buffers request bodies and
responses (proxy_request_buffering, proxy_buffering), so gunicorn only ever talks to nginx
over loopback. Measured numbers are in docs/deploy.md.

ONE WRITE PER RESPONSE. Each worker sends a response's headers and its body (up to
1 MiB) in a single socket write: see SingleWriteResponse below for why.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
from typing import Any

from gunicorn.glogging import Logger
from gunicorn.http import wsgi

DEFAULT_BIND = "127.0.0.1:8001"
TRUE_VALUES = {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None


def _cores() -> int:
    # sched_getaffinity honours CPU pinning (taskset, cgroup cpusets); cpu_count does not.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def default_workers(cores: int, cap: int) -> int:
    """The classic (2 x cores) + 1, capped so a big host does not exhaust PostgreSQL."""
    return max(1, min(2 * cores + 1, cap))


def is_loopback_address(address: str) -> bool:
    """True for a unix socket, a systemd-passed fd, or a TCP address on loopback."""
    if address.startswith(("unix:", "fd://")):
        return True
    host, sep, _port = address.rpartition(":")
    if not sep:
        host = address
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        # A host name other than localhost could resolve anywhere.
        return False


def public_binds(addresses: list[str]) -> list[str]:
    return [address for address in addresses if not is_loopback_address(address)]


def public_bind_allowed() -> bool:
    return os.environ.get("GUNICORN_ALLOW_PUBLIC_BIND", "").strip().lower() in TRUE_VALUES


class JsonAccessLogger(Logger):
    """Write the access log as one JSON object per line.

    Built with json.dumps instead of access_log_format, so a path or header containing
    quotes or backslashes cannot break the line. The query string is left out: it can
    carry secrets (OAuth codes, tokens). remote_addr is the proxy (nginx); the client is
    the last address nginx put in X-Forwarded-For.
    """

    def access(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: dt.timedelta
    ) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig_dict):
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        record = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "request_id": environ.get("HTTP_X_REQUEST_ID"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "bytes": getattr(resp, "sent", None),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "pid": os.getpid(),
        }
        self.access_log.info(json.dumps(record, separators=(",", ":")))


# --- one write per response -------------------------------------------------------------
#
# WHY. nginx sends a GET to the other instance when the first fails before its response
# has begun: connection refused, reset, or closed before the status line and headers
# arrive (`proxy_next_upstream error timeout`). Once nginx has the headers it has passed
# them on to the client, and a failure after that can only cut the response short.
# gunicorn's Response writes the headers and then the body in separate sendall() calls,
# so an instance killed between the two (SIGKILL, the OOM killer, a segfault) left nginx
# with headers and no body: in the stack test that kills an instance under load, 4 kills
# in 14 cut a response that way. Written in one sendall(), the whole response is in the
# kernel once the call returns, and the kernel delivers it even if the process dies right
# after: nginx gets nothing (and retries elsewhere) or the complete response. (Linux's
# default socket buffers grow to 4 MB: over loopback one call took 3.9 MB with nobody
# reading. Only a response too big for them would wait inside sendall(), where a kill
# could still cut it.)
#
# WHAT. gunicorn's own Response still does all the framing (status line, Connection,
# chunked encoding, Content-Length truncation, HEAD and 204/304 without a body); only
# when its bytes reach the socket changes:
# - the status line and headers go out with the first piece of the body (gunicorn sends
#   them just before its first body write anyway, so nothing leaves later than before);
# - a body of known length (Content-Length) up to MAX_HELD_BODY is held until complete,
#   so a Django HttpResponse (one bytes chunk) and a few chunks alike leave in one write;
# - anything else goes out as gunicorn sends it: a chunked (streaming) body chunk by
#   chunk, a longer body write by write, a file by sendfile() after the held headers.
# When the application fails halfway through a held body, gunicorn closes the connection
# with nothing sent instead of headers and part of a body: nginx sees a failed upstream,
# not a truncated 200. post_worker_init installs it in every worker; HTTP/2 (not used
# between nginx and gunicorn) keeps gunicorn's HTTP2Response.

# Bigger bodies are streamed as gunicorn streams them rather than held in memory: 1 MiB per
# thread at most. The question list, the largest common response, is about 64 KB.
MAX_HELD_BODY = 1024 * 1024


class HeldWrites:
    """A client socket whose sendall() is held until flush().

    Any other use of the socket (sendfile(), send(), ...) flushes first, so bytes never
    leave out of order, whichever path of gunicorn's Response writes them.
    """

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._held: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self._held.append(bytes(data))

    def flush(self) -> None:
        if not self._held:
            return
        data = self._held[0] if len(self._held) == 1 else b"".join(self._held)
        self._held.clear()
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        self.flush()
        return getattr(self._sock, name)


class SingleWriteResponse(wsgi.Response):
    """gunicorn's HTTP/1 Response, sending the headers and a bounded body in one write."""

    sock: HeldWrites

    def __init__(self, req: Any, sock: Any, cfg: Any) -> None:
        super().__init__(req, HeldWrites(sock), cfg)

    def write(self, arg: bytes) -> None:
        super().write(arg)
        if not self.rest_of_body_is_held():
            self.sock.flush()

    def close(self) -> None:
        super().close()
        self.sock.flush()

    def rest_of_body_is_held(self) -> bool:
        """True while a bounded body of known length still has bytes to come."""
        return (
            not getattr(self, "_omits_body", False)  # HEAD, 1xx, 204, 304: no body
            and not self.chunked
            and self.response_length is not None
            and self.response_length <= MAX_HELD_BODY
            and self.sent < self.response_length
        )


def post_worker_init(worker: Any) -> None:
    """Make this worker's gunicorn build a SingleWriteResponse for each HTTP/1 request."""
    wsgi.Response = SingleWriteResponse


def on_starting(server: Any) -> None:
    """Check the final bind list, which a --bind on the command line may have changed."""
    refused = public_binds(list(server.cfg.bind))
    if refused and not public_bind_allowed():
        server.halt(
            reason=(
                f"refusing to listen on non-loopback address(es) {', '.join(refused)}: "
                "rehearse must only be reachable through its reverse proxy. "
                "Set GUNICORN_ALLOW_PUBLIC_BIND=1 when a firewall or a private container "
                "network guarantees that."
            ),
            exit_status=1,
        )


# --- what to serve ----------------------------------------------------------------
wsgi_app = "config.wsgi:application"
# Only when the environment does not choose: tests and tools may import this file.
raw_env = (
    []
    if "DJANGO_SETTINGS_MODULE" in os.environ
    else ["DJANGO_SETTINGS_MODULE=config.settings.production"]
)
# Workers import the app themselves, so a HUP (reload) picks up new code.
preload_app = False

# --- where to listen ----------------------------------------------------------------
bind = [
    part for part in os.environ.get("GUNICORN_BIND", DEFAULT_BIND).replace(",", " ").split() if part
]
_refused = public_binds(bind)
if _refused and not public_bind_allowed():
    raise SystemExit(
        f"GUNICORN_BIND={','.join(bind)} includes non-loopback address(es) "
        f"{', '.join(_refused)}; set GUNICORN_ALLOW_PUBLIC_BIND=1 if only the proxy can reach it"
    )

# --- how many, and of which kind --------------------------------------------------------
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = _env_int(
    "GUNICORN_WORKERS", default_workers(_cores(), _env_int("GUNICORN_MAX_WORKERS", 12))
)
threads = _env_int("GUNICORN_THREADS", 4) if worker_class == "gthread" else 1

# --- time limits ----------------------------------------------------------------------
# Longer than any legitimate request (the grader stops submissions after a few seconds),
# shorter than nginx's proxy_read_timeout (60s), so a stuck worker is killed by gunicorn
# and nginx sees a closed connection rather than waiting it out.
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Longer than nginx's upstream keepalive_timeout (60s), so nginx, never gunicorn, closes an
# idle pooled connection: otherwise gunicorn may close it just as nginx sends a request.
keepalive = _env_int("GUNICORN_KEEPALIVE", 75)

# --- recycling -------------------------------------------------------------------------
# Bounds the damage of a slow memory leak; the jitter keeps workers from restarting at once.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)

# --- the proxy in front ----------------------------------------------------------------
# Only X-Forwarded-Proto, only from the proxy. Gunicorn's default also trusts
# X-Forwarded-Ssl and X-Forwarded-Protocol and answers 400 when they contradict each
# other, which a client could trigger by sending one of them through nginx.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# --- files, logs, control ---------------------------------------------------------------
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
logger_class = JsonAccessLogger
proc_name = "rehearse"
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
# The heartbeat file is fchmod-ed on every beat: keep it off a disk-backed /tmp.
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's own advice; files are private to each worker
if os.path.isdir(_SHM) and os.access(_SHM, os.W_OK):
    worker_tmp_dir = _SHM
