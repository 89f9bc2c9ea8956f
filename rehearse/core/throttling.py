"""Rate limits that hold across every worker and app server, at O(1) per request.

DRF's built-in throttles keep a list of request timestamps per client in the cache,
read it, trim it, and write it back: the read-modify-write lets concurrent requests
slip past the limit, and the list (so the work per request) grows with the rate. Here
each client has one counter per time window, incremented atomically by Redis, and the
limit is checked against a sliding-window estimate: the previous window's count,
weighted by how much of it still overlaps the last ``duration`` seconds, plus the
current window's.

Rejected requests count too: a client that keeps hammering stays limited.
"""

from __future__ import annotations

import math
import re
import threading
import time
from types import SimpleNamespace
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

_local_lock = threading.Lock()


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120/min"`` -> (120, 60); ``"5/15m"`` -> (5, 900). Units: s, m, h, d."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"{rate!r} is not a rate such as 120/min or 5/15m.")
    count, multiplier, unit = match.groups()
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit] * int(multiplier or 1)
    return int(count), seconds


# INCR the current window's counter, make sure it expires, and read the previous
# window's: one atomic round trip to Redis.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, tonumber(redis.call('GET', KEYS[2]) or '0')}
"""
_scripts: dict[int, Any] = {}


def hit(key: str, window: int, now: float | None = None) -> tuple[int, int, float]:
    """Count one request under ``key``; return (this window, previous window, position).

    ``position`` is how far into the current window ``now`` is, from 0 to 1.
    """
    now = time.time() if now is None else now
    index = int(now // window)
    current, previous = f"{key}:{index}", f"{key}:{index - 1}"
    position = (now % window) / window
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        current_key = cache.make_and_validate_key(current)
        previous_key = cache.make_and_validate_key(previous)
        script = _scripts.get(id(cache))
        if script is None:
            # Django makes a new client object per call; one per cache is enough.
            client = cache._cache.get_client(current_key, write=True)
            script = _scripts[id(cache)] = client.register_script(_HIT_SCRIPT)
        count, before = script(keys=[current_key, previous_key], args=[window * 2])
        return int(count), int(before), position
    with _local_lock:  # the single-process embedded default
        count = cache.get(current, 0) + 1
        cache.set(current, count, timeout=window * 2)
        return count, cache.get(previous, 0), position


def _estimate(count: int, previous: int, position: float) -> float:
    return previous * (1 - position) + count


def _seconds_until_below(
    limit: int, count: int, previous: int, position: float, window: int
) -> float:
    """How long until the sliding estimate is ``limit`` or less again (no new hits)."""
    remaining = (1 - position) * window
    if count > limit:
        # Over even without the previous window: wait for this window to end, then
        # for its weight (as the next "previous") to fall to the limit.
        return remaining + (1 - limit / count) * window
    if previous == 0:
        return 0.0
    needed = 1 - (limit - count) / previous  # the position at which the estimate fits
    return max(needed - position, 0.0) * window


def count_request(key: str, limit: int, window: int) -> float | None:
    """Count one request under ``key``; None if it is within ``limit`` per ``window``,
    else the seconds until the count is back within it.

    Counting comes before the decision and is atomic, so N concurrent requests see
    N distinct counts: no burst can slip past the limit between a read and a write.
    """
    count, previous, position = hit(key, window)
    if _estimate(count, previous, position) <= limit:
        return None
    return _seconds_until_below(limit, count, previous, position, window)


def reset(key: str, window: int) -> None:
    index = int(time.time() // window)
    caches["default"].delete_many([f"{key}:{index}", f"{key}:{index - 1}"])


class SlidingWindowThrottle(BaseThrottle):
    scope: str = ""

    def __init__(self) -> None:
        self.num_requests, self.duration = parse_rate(self.get_rate())
        self.wait_seconds = 0.0

    def get_rate(self) -> str:
        return str(api_settings.DEFAULT_THROTTLE_RATES[self.scope])

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        wait = count_request(f"throttle:{self.scope}:{key}", self.num_requests, self.duration)
        if wait is None:
            return True
        self.wait_seconds = wait
        return False

    def wait(self) -> float:
        return max(1.0, math.ceil(self.wait_seconds))


class AnonRateThrottle(SlidingWindowThrottle):
    """Anonymous clients, by address (X-Forwarded-For trusted as far as NUM_PROXIES)."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)


class UserRateThrottle(SlidingWindowThrottle):
    """Signed-in users, by account, whatever address they come from."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return None


class ScopedRateThrottle(SlidingWindowThrottle):
    """A stricter rate for one kind of request (sign-up, login...), per client address.

    Views name their scope in ``throttle_scope``; the rate is
    ``DEFAULT_THROTTLE_RATES[scope]``.
    """

    def allow_request(self, request: Request, view: Any) -> bool:
        scope = getattr(view, "throttle_scope", None)
        if not scope:
            return True
        self.scope = scope
        self.num_requests, self.duration = parse_rate(self.get_rate())
        return super().allow_request(request, view)

    def __init__(self) -> None:
        self.wait_seconds = 0.0

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.get_ident(request)


def page_throttled(request: HttpRequest, *, scope: str) -> int | None:
    """The API's scoped limit for a page's form: None if allowed, else seconds to wait.

    Same rate and same counter as the API endpoint with ``throttle_scope = scope`` (the
    key is the client address), so a form and its API twin share one limit.
    """
    throttle = ScopedRateThrottle()
    # get_ident reads only request.META, which a Django request has too.
    if throttle.allow_request(request, SimpleNamespace(throttle_scope=scope)):  # type: ignore[arg-type]
        return None
    return int(throttle.wait())
