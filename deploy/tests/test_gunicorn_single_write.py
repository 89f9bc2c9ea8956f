"""gunicorn sends a response's headers and body in one socket write (no stack needed).

deploy/gunicorn.conf.py installs SingleWriteResponse in every worker so that an app
server killed mid-response leaves nginx either nothing to forward (nginx then retries
the GET on the other instance) or the whole response. These tests drive it the way
gunicorn's gthread worker does (parse a request from a socket, wsgi.create(), iterate
the application, write, close) over a real socket pair, count the writes that reach the
socket, and parse what arrives with http.client.
"""

from __future__ import annotations

import http.client
import importlib.util
import io
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser

GUNICORN_CONF = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"

StartResponse = Callable[..., Any]
App = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def load_conf() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gunicorn_conf_single_write", GUNICORN_CONF)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


conf = load_conf()


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """What every worker does at boot, undone after each test."""
    monkeypatch.setattr(wsgi, "Response", wsgi.Response)
    conf.post_worker_init(worker=None)
    assert wsgi.Response is conf.SingleWriteResponse


class CountingSocket:
    """The server end of the pair: every sendall/sendfile is recorded, then done."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.writes: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self.sock.sendall(data)

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        file.seek(offset)
        data = file.read(count)
        self.writes.append(b"<sendfile>" + data)
        self.sock.sendall(data)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


@dataclass
class Exchange:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    writes: list[bytes]
    keep_alive: bool
    error: BaseException | None = None


def serve(app: App, method: str = "GET", version: str = "HTTP/1.1") -> Exchange:
    """One request through gunicorn's HTTP/1 path; the client reads in this thread."""
    client, server = socket.socketpair()
    counting = CountingSocket(server)
    outcome: dict[str, Any] = {}
    client.sendall(f"{method} /things/ {version}\r\nHost: rehearse.test\r\n\r\n".encode())

    def handle() -> None:
        # The middle of gunicorn.workers.gthread.ThreadWorker.handle_request.
        cfg = Config()
        req = next(iter(RequestParser(cfg, server, ("127.0.0.1", 40000))))
        resp, environ = wsgi.create(req, counting, ("127.0.0.1", 40000), ("127.0.0.1", 8001), cfg)
        outcome["resp"] = resp
        # So an application can see what had reached the socket when it ran.
        environ["test.writes"] = counting.writes
        try:
            respiter = app(environ, resp.start_response)
            try:
                if isinstance(respiter, environ["wsgi.file_wrapper"]):
                    resp.write_file(respiter)
                else:
                    for item in respiter:
                        resp.write(item)
                resp.close()
            finally:
                close = getattr(respiter, "close", None)
                if close is not None:
                    close()
        except Exception as exc:
            # gunicorn logs it and closes the connection (headers were "sent").
            outcome["error"] = exc
        finally:
            server.shutdown(socket.SHUT_WR)

    thread = threading.Thread(target=handle)
    thread.start()
    try:
        raw = http.client.HTTPResponse(client, method=method)
        try:
            raw.begin()
            body = raw.read()
            status, headers = raw.status, raw.headers
        except http.client.RemoteDisconnected:
            body, status, headers = b"", 0, http.client.HTTPMessage()
    finally:
        thread.join(timeout=30)
        client.close()
        server.close()
    assert not thread.is_alive()
    resp = outcome["resp"]
    return Exchange(
        status=status,
        headers=headers,
        body=body,
        writes=counting.writes,
        keep_alive=not resp.should_close(),
        error=outcome.get("error"),
    )


def django_like(body: bytes, status: str = "200 OK") -> App:
    """What Django's WSGIHandler returns for an HttpResponse: a list of one bytes item."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]

    return app


def head_and_body(write: bytes) -> tuple[bytes, bytes]:
    head, sep, body = write.partition(b"\r\n\r\n")
    assert sep, f"no end of headers in {write[:200]!r}"
    return head, body


BODY = b'{"results": [' + b'{"id": 1, "title": "Recursion"},' * 2000 + b"{}]}"  # ~64 KB


def test_an_httpresponse_leaves_in_one_write_with_its_headers() -> None:
    exchange = serve(django_like(BODY))
    assert exchange.status == 200
    assert exchange.body == BODY
    assert len(exchange.writes) == 1
    head, body = head_and_body(exchange.writes[0])
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert f"Content-Length: {len(BODY)}".encode() in head
    assert body == BODY
    assert exchange.keep_alive
    assert exchange.headers["Connection"] == "keep-alive"


def test_the_control_gunicorns_own_response_writes_headers_and_body_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the patch the same response takes two writes: the window a kill can hit."""
    monkeypatch.setattr(wsgi, "Response", conf.SingleWriteResponse.__mro__[1])
    exchange = serve(django_like(BODY))
    assert exchange.body == BODY
    assert len(exchange.writes) == 2
    assert exchange.writes[1] == BODY


def test_several_chunks_of_known_length_are_held_until_complete() -> None:
    parts = [b"a" * 1000, b"", b"b" * 50_000, b"c" * 7]

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Length", str(sum(map(len, parts))))])
        return iter(parts)

    exchange = serve(app)
    assert exchange.body == b"".join(parts)
    assert len(exchange.writes) == 1


def test_a_body_over_the_bound_is_not_held_but_its_headers_go_with_its_first_part() -> None:
    part = b"x" * (conf.MAX_HELD_BODY // 2 + 1)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Length", str(3 * len(part)))])
        return [part, part, part]

    exchange = serve(app)
    assert exchange.body == part * 3
    assert len(exchange.writes) == 3
    assert head_and_body(exchange.writes[0])[1] == part
    assert exchange.writes[1:] == [part, part]


def test_a_streaming_response_is_still_chunked_and_streamed() -> None:
    """No Content-Length: each piece goes out as it is produced, not at the end."""
    writes_before_next: list[int] = []

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/event-stream")])
        for index in range(3):
            yield f"event {index}\n".encode()
            writes_before_next.append(len(environ["test.writes"]))

    exchange = serve(app)
    assert exchange.headers["Transfer-Encoding"] == "chunked"
    assert exchange.body == b"event 0\nevent 1\nevent 2\n"
    # The head left with the first chunk, and each chunk before the next was made.
    assert writes_before_next == [1, 2, 3]
    head, first = head_and_body(exchange.writes[0])
    assert b"Transfer-Encoding: chunked" in head
    assert first == b"8\r\nevent 0\n\r\n"
    assert exchange.writes[1:] == [b"8\r\nevent 1\n\r\n", b"8\r\nevent 2\n\r\n", b"0\r\n\r\n"]
    assert exchange.keep_alive


def test_an_empty_streaming_response_is_headers_and_terminator_in_one_write() -> None:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return []

    exchange = serve(app)
    assert exchange.status == 200
    assert exchange.body == b""
    assert len(exchange.writes) == 1
    assert exchange.writes[0].endswith(b"\r\n\r\n0\r\n\r\n")


def test_head_sends_the_headers_alone_with_the_length_of_the_get() -> None:
    exchange = serve(django_like(BODY), method="HEAD")
    assert exchange.status == 200
    assert exchange.body == b""
    assert len(exchange.writes) == 1
    head, body = head_and_body(exchange.writes[0])
    assert body == b""
    assert f"Content-Length: {len(BODY)}".encode() in head


@pytest.mark.parametrize("status", ["204 No Content", "304 Not Modified"])
def test_bodiless_statuses_are_one_write_of_headers(status: str) -> None:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response(status, [("ETag", '"v1"')])
        return [b""]

    exchange = serve(app)
    assert exchange.status == int(status.split()[0])
    assert exchange.body == b""
    assert len(exchange.writes) == 1
    assert exchange.writes[0].endswith(b'ETag: "v1"\r\n\r\n')
    assert exchange.keep_alive


def test_a_file_goes_out_by_sendfile_after_its_headers(tmp_path: Path) -> None:
    path = tmp_path / "export.apkg"
    path.write_bytes(b"PK" + bytes(range(256)) * 100)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Any:
        start_response("200 OK", [("Content-Length", str(path.stat().st_size))])
        return environ["wsgi.file_wrapper"](path.open("rb"))

    exchange = serve(app)
    assert exchange.body == path.read_bytes()
    assert len(exchange.writes) == 2
    assert head_and_body(exchange.writes[0])[1] == b""
    assert exchange.writes[1] == b"<sendfile>" + path.read_bytes()


def test_a_file_like_without_fileno_is_written_like_any_body() -> None:
    data = b"not a real file" * 100

    def app(environ: dict[str, Any], start_response: StartResponse) -> Any:
        start_response("200 OK", [("Content-Length", str(len(data)))])
        return environ["wsgi.file_wrapper"](io.BytesIO(data), 256)

    exchange = serve(app)
    assert exchange.body == data
    assert len(exchange.writes) == 1


def test_http_1_0_without_length_is_written_as_it_comes_and_closes() -> None:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"one ", b"two"]

    exchange = serve(app, version="HTTP/1.0")
    assert exchange.body == b"one two"
    assert len(exchange.writes) == 2
    assert not exchange.keep_alive


def test_an_app_failing_inside_a_held_body_sends_nothing() -> None:
    """nginx then sees a failed upstream (and may retry), not a truncated 200."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Length", "10")])
        yield b"12345"
        raise RuntimeError("the database went away")

    exchange = serve(app)
    assert isinstance(exchange.error, RuntimeError)
    assert exchange.writes == []
    assert exchange.status == 0
