"""Flashcard Buddy: a small third-party web app that signs in with rehearse.

It runs the OAuth2 authorization-code flow with PKCE (S256) against rehearse, keeps the
tokens on its server side, calls rehearse's API with them, refreshes them, and revokes
them when you sign out. Python's standard library only.

1. An admin registers it once with rehearse (the admin site, or the API), e.g. as a
   public client, which has no secret and relies on PKCE:

       POST /api/v1/oauth/applications/
       {"name": "Flashcard Buddy", "client_type": "public",
        "grant_type": "authorization_code",
        "redirect_uris": ["http://127.0.0.1:8400/callback"],
        "allowed_scopes": ["openid", "profile", "questions:read", "practice:read"]}

   (A confidential registration works too: also set REHEARSE_CLIENT_SECRET.)

2. Run it, and open http://127.0.0.1:8400/:

       REHEARSE_URL=http://127.0.0.1:8000 REHEARSE_CLIENT_ID=<client_id> \\
           python examples/oauth_client.py

The browser only ever holds an opaque session cookie of this app; the tokens stay
here, in memory (a real app would keep them in its database, encrypted).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SCOPE = "openid profile questions:read practice:read"
COOKIE = "buddy_session"
TIMEOUT = 10


class RehearseError(Exception):
    """rehearse refused a request; ``error`` is the OAuth2 error code or HTTP status."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.error = str(body.get("error") or body.get("type") or status)
        super().__init__(f"{self.error}: {body.get('error_description') or body.get('detail')}")


@dataclass
class RehearseClient:
    """The protocol side: rehearse's endpoints, spoken with urllib."""

    base_url: str
    client_id: str
    redirect_uri: str
    client_secret: str | None = None

    def __post_init__(self) -> None:
        # Every request below goes to base_url: never let it be file:// or the like.
        if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ValueError(f"REHEARSE_URL must be an http(s) URL, not {self.base_url!r}")

    def authorization_url(self, *, state: str, verifier: str, nonce: str) -> str:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": self.redirect_uri,
                "scope": SCOPE,
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge.rstrip(b"=").decode(),
                "code_challenge_method": "S256",
            }
        )
        return f"{self.base_url}/o/authorize/?{query}"

    def exchange(self, *, code: str, verifier: str) -> dict[str, Any]:
        return self._token(
            grant_type="authorization_code",
            code=code,
            redirect_uri=self.redirect_uri,
            code_verifier=verifier,
        )

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        # Every refresh returns a new refresh token; the old one is spent.
        return self._token(grant_type="refresh_token", refresh_token=refresh_token)

    def revoke(self, token: str, hint: str) -> None:
        # Revoking the refresh token revokes its access token too (RFC 7009).
        self._post("/o/revoke_token/", token=token, token_type_hint=hint)

    def api(self, path: str, access_token: str) -> Any:
        request = urllib.request.Request(  # noqa: S310  (http(s): __post_init__)
            f"{self.base_url}{path}", headers={"Authorization": f"Bearer {access_token}"}
        )
        return self._send(request)

    def _token(self, **fields: str) -> dict[str, Any]:
        token: dict[str, Any] = self._post("/o/token/", **fields)
        return token

    def _post(self, path: str, **fields: str) -> Any:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.client_secret:  # a confidential client authenticates with HTTP Basic
            pair = f"{urllib.parse.quote(self.client_id)}:{urllib.parse.quote(self.client_secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:  # a public client only names itself; PKCE proves the rest
            fields["client_id"] = self.client_id
        body = urllib.parse.urlencode(fields).encode()
        url = f"{self.base_url}{path}"
        return self._send(urllib.request.Request(url, data=body, headers=headers))  # noqa: S310

    @staticmethod
    def _send(request: urllib.request.Request) -> Any:
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as error:
            try:
                body = json.loads(error.read() or b"{}")
            except ValueError:
                body = {}
            raise RehearseError(error.code, body) from None
        return json.loads(payload) if payload else None


@dataclass
class Session:
    """One browser of this app: its pending sign-in, or its tokens."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    state: str | None = None
    verifier: str | None = None
    nonce: str | None = None
    tokens: dict[str, Any] | None = None


class BuddyApp:
    def __init__(self, rehearse: RehearseClient) -> None:
        self.rehearse = rehearse
        self.sessions: dict[str, Session] = {}

    def make_server(self, host: str, port: int) -> ThreadingHTTPServer:
        app = self

        class Handler(BuddyHandler):
            buddy = app

        return ThreadingHTTPServer((host, port), Handler)


class BuddyHandler(BaseHTTPRequestHandler):
    buddy: BuddyApp

    # -- plumbing --------------------------------------------------------------------

    def session(self) -> tuple[str, Session]:
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        key = cookie[COOKIE].value if COOKIE in cookie else ""
        if key not in self.buddy.sessions:
            key = secrets.token_urlsafe(24)
            self.buddy.sessions[key] = Session()
        return key, self.buddy.sessions[key]

    def respond(
        self, status: int, body: str = "", *, key: str, location: str | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Set-Cookie", f"{COOKIE}={key}; HttpOnly; SameSite=Lax; Path=/")
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body.encode())

    def page(self, key: str, title: str, content: str) -> None:
        self.respond(
            HTTPStatus.OK,
            f'<!doctype html><html lang="en"><title>{html.escape(title)}</title>'
            f"<main><h1>{html.escape(title)}</h1>{content}</main></html>",
            key=key,
        )

    def form_fields(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        return dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))

    def button(self, session: Session, action: str, label: str) -> str:
        return (
            f'<form method="post" action="{action}">'
            f'<input type="hidden" name="csrf" value="{session.csrf}">'
            f'<button type="submit">{label}</button></form>'
        )

    # -- pages -----------------------------------------------------------------------

    def do_GET(self) -> None:
        key, session = self.session()
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/":
            self.home(key, session)
        elif url.path == "/login":
            # state binds the callback to this browser; the verifier stays here, only
            # its hash (the challenge) goes through the browser.
            session.state = secrets.token_urlsafe(16)
            session.verifier = secrets.token_urlsafe(48)
            session.nonce = secrets.token_urlsafe(16)
            target = self.buddy.rehearse.authorization_url(
                state=session.state, verifier=session.verifier, nonce=session.nonce
            )
            self.respond(HTTPStatus.FOUND, key=key, location=target)
        elif url.path == "/callback":
            self.callback(key, session, dict(urllib.parse.parse_qsl(url.query)))
        else:
            self.respond(HTTPStatus.NOT_FOUND, "Not found.", key=key)

    def do_POST(self) -> None:
        key, session = self.session()
        fields = self.form_fields()
        if not secrets.compare_digest(fields.get("csrf", ""), session.csrf):
            self.respond(HTTPStatus.FORBIDDEN, "Bad form token.", key=key)
            return
        if self.path == "/refresh" and session.tokens:
            session.tokens = self.buddy.rehearse.refresh(session.tokens["refresh_token"])
        elif self.path == "/logout" and session.tokens:
            self.buddy.rehearse.revoke(session.tokens["refresh_token"], "refresh_token")
            session.tokens = None
        self.respond(HTTPStatus.SEE_OTHER, key=key, location="/")

    def callback(self, key: str, session: Session, params: dict[str, str]) -> None:
        expected, verifier = session.state, session.verifier
        session.state = session.verifier = None  # one use, whatever happens
        if not expected or not secrets.compare_digest(params.get("state", ""), expected):
            self.page(
                key, "Sign-in failed", "<p>This answer is not for a sign-in started here.</p>"
            )
            return
        if "error" in params or not verifier:
            reason = html.escape(params.get("error", "no code"))
            self.page(key, "Sign-in failed", f"<p>rehearse said: {reason}.</p>")
            return
        session.tokens = self.buddy.rehearse.exchange(code=params["code"], verifier=verifier)
        self.respond(HTTPStatus.SEE_OTHER, key=key, location="/")

    def home(self, key: str, session: Session) -> None:
        if not session.tokens:
            self.page(key, "Flashcard Buddy", '<p><a href="/login">Sign in with rehearse</a></p>')
            return
        access = session.tokens["access_token"]
        try:
            me = self.buddy.rehearse.api("/api/v1/me/", access)
            due = self.buddy.rehearse.api("/api/v1/practice/due/", access)
        except RehearseError as error:
            if error.status != HTTPStatus.UNAUTHORIZED:
                raise
            # Expired or revoked: try the refresh token once, else sign in again.
            try:
                session.tokens = self.buddy.rehearse.refresh(session.tokens["refresh_token"])
            except RehearseError:
                session.tokens = None
            self.respond(HTTPStatus.SEE_OTHER, key=key, location="/")
            return
        cards = len(due.get("results", [])) if isinstance(due, dict) else len(due)
        self.page(
            key,
            "Flashcard Buddy",
            f"<p>Signed in as {html.escape(me['email'])}.</p>"
            f"<p>Cards due now: {cards}.</p>"
            + self.button(session, "/refresh", "Refresh tokens")
            + self.button(session, "/logout", "Sign out"),
        )


def main() -> None:
    host = os.environ.get("BUDDY_HOST", "127.0.0.1")
    port = int(os.environ.get("BUDDY_PORT", "8400"))
    rehearse = RehearseClient(
        base_url=os.environ.get("REHEARSE_URL", "http://127.0.0.1:8000").rstrip("/"),
        client_id=os.environ["REHEARSE_CLIENT_ID"],
        redirect_uri=f"http://{host}:{port}/callback",
        client_secret=os.environ.get("REHEARSE_CLIENT_SECRET") or None,
    )
    server = BuddyApp(rehearse).make_server(host, port)
    print(f"Flashcard Buddy on http://{host}:{port}/ (rehearse at {rehearse.base_url})")
    server.serve_forever()


if __name__ == "__main__":
    main()
