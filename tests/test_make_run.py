"""The README's run command, as a newcomer runs it: `make run` serves the bank and docs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, accept: str = "*/*") -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        body = response.read().decode()
        return int(response.status), response.headers.get("Content-Type", ""), body


def test_make_run_serves_the_bundled_bank_the_api_docs_and_the_pages(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "REHEARSE_VAR_DIR": str(tmp_path / "var"),
        "PORT": str(port),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    log = (tmp_path / "make-run.log").open("w")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                status, _, body = fetch(f"{base}/api/v1/questions/?topic=recursion&page_size=100")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "make-run.log").read_text()
                assert time.monotonic() < deadline, "make run did not serve within 240 s"
                time.sleep(1)
        assert status == 200
        questions = json.loads(body)["results"]
        assert len(questions) >= 8
        assert {question["topic"]["slug"] for question in questions} == {"recursion"}
        assert any(question["title"] == "Factorial" for question in questions)

        status, _, html = fetch(f"{base}/api/docs/")
        assert status == 200
        assert "swagger-ui" in html
        asset = html.split('src="', 1)[1].split('"', 1)[0]
        assert fetch(f"{base}{asset}")[0] == 200  # the UI's own script, served locally
        status, _, schema = fetch(f"{base}/api/schema/", accept="application/vnd.oai.openapi+json")
        assert "/api/v1/questions/" in json.loads(schema)["paths"]

        # The study pages, with their style sheet (hashed by collectstatic) served too.
        status, _, page = fetch(f"{base}/bank/recursion/")
        assert status == 200
        assert "Factorial" in page
        stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert stylesheet.startswith("/static/web/site.")
        status, content_type, _ = fetch(f"{base}{stylesheet}")
        assert (status, content_type.split(";")[0]) == (200, "text/css")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
