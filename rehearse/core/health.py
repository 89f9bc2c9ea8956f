"""Health checks for load balancers and orchestrators.

``/healthz`` says the process is up and answers requests (liveness: restart me if
not). ``/readyz`` says its dependencies answer too (readiness: send me traffic); a
load balancer takes an instance out of rotation on 503 instead of feeding it
requests that would fail.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rehearse.core.problems import problem_response

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("readiness: the database did not answer")
        return False


def _cache_ok() -> bool:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        answered = cache.get(key) == "1"
        cache.delete(key)
        return answered
    except Exception:
        logger.exception("readiness: the cache did not answer")
        return False


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    if all(checks.values()):
        return JsonResponse({"status": "ok", "checks": checks})
    down = ", ".join(name for name, ok in checks.items() if not ok)
    return problem_response(
        503,
        detail=f"Not ready: {down} did not answer.",
        headers={"Retry-After": "5"},
        checks=checks,
    )
