"""Conditional GETs and shared caching for the published question bank.

The published bank changes rarely and is read constantly, by clients that are mostly
anonymous. Every anonymous read of it is therefore the same for everyone, and can be
validated without the database: one number in the shared cache, the *bank version*,
changes whenever a question, topic or tag is written (``rehearse/questions/signals.py``
bumps it once the write has committed). The ETag of an anonymous read is a hash of that
version and of everything else the body depends on, so:

- a client that sends the ETag back in ``If-None-Match`` gets a 304 from this
  middleware, before any view, session or database work;
- a shared cache (nginx, see ``deploy/nginx/rehearse.conf.template``) may keep the
  response for ``BANK_CACHE_SECONDS`` (``s-maxage``), then revalidates it the same way;
- browsers get ``max-age=0``: they keep the body but ask (cheaply) every time, so no
  client ever sees a copy older than the one bound the shared cache promises. With
  ``max-age=N`` as well, a browser could hold for N more seconds a copy nginx had
  already held for N: twice the bound.

Requests that carry credentials (an ``Authorization`` header or the session cookie) are
left alone: what they see can depend on who they are (authors see their drafts).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponse]

BANK_VERSION_KEY = "bank:version"
# The bank's read endpoints: what anonymous clients read over and over.
BANK_PATH = re.compile(r"^/api/v1/(?:questions|topics)/")
SAFE_METHODS = frozenset({"GET", "HEAD"})
VARY = ("Accept", "Authorization", "Cookie")


def bank_version() -> int:
    """The current bank version, created on first use.

    A missing key (first start, a Redis flush or eviction) starts from the clock in
    nanoseconds rather than from 0, so a version seen before the loss is never handed
    out again: an old ETag can never match a newer bank.
    """
    version = cache.get(BANK_VERSION_KEY)
    if version is None:
        cache.add(BANK_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(BANK_VERSION_KEY)
    return int(version)


def bank_changed() -> None:
    """Make every ETag of the bank stale: called after a write to it has committed."""
    try:
        cache.incr(BANK_VERSION_KEY)
    except ValueError:  # the key is gone; any fresh value differs from the old ones
        cache.add(BANK_VERSION_KEY, time.time_ns(), timeout=None)


def is_anonymous_bank_read(request: HttpRequest) -> bool:
    return (
        request.method in SAFE_METHODS
        and BANK_PATH.match(request.path_info) is not None
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def bank_etag(request: HttpRequest, version: int) -> str:
    """A strong ETag for this anonymous read of the bank at ``version``.

    The body depends on the bank, the path and query, the negotiated media type, and
    the scheme and host (pagination links are absolute URLs).
    """
    parts = (
        str(version),
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        request.headers.get("Accept", ""),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f'"{digest[:40]}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ is ignored."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.removeprefix("W/") == etag for tag in parse_etags(if_none_match))


def _cache_headers(response: HttpResponse, etag: str) -> None:
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.BANK_CACHE_SECONDS}"
    patch_vary_headers(response, VARY)


class BankConditionalGetMiddleware:
    """ETags, 304s and public caching for anonymous reads of the published bank."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_anonymous_bank_read(request):
            return self.get_response(request)
        try:
            # Read before the view runs, never after: a write committing meanwhile then
            # labels new data with the old version (refetched next time), never old
            # data with the new version (which would be served as fresh until the next
            # write).
            version = bank_version()
        except Exception:
            # The cache is down: serve normally, just without validators.
            logger.exception("bank version unavailable: serving without ETag")
            return self.get_response(request)
        etag = bank_etag(request, version)
        if etag_matches(request.headers.get("If-None-Match"), etag):
            not_modified = HttpResponseNotModified()
            # A 304 carries the headers the 200 would have (RFC 9110 15.4.5), so a
            # cache revalidating its copy learns for how long it is fresh again.
            _cache_headers(not_modified, etag)
            return not_modified
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            response.status_code == 200
            and not response.cookies
            and not response.has_header("Cache-Control")
            # Credentials sent some other way (an OAuth token in the query string)
            # still make the response personal; DRF puts the user it found here.
            and not (user is not None and user.is_authenticated)
        ):
            _cache_headers(response, etag)
        return response
