"""RFC 9457 problem details: the one shape every error of rehearse takes.

A problem document has ``type`` (a stable URI per kind of error, relative to the
site: ``/problems/<slug>``), ``title`` (the same for every occurrence of that kind),
``status``, ``detail`` (this occurrence) and, for validation errors, ``errors`` (field
name -> list of messages). Other modules build problems only through this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.http import JsonResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str

    @property
    def uri(self) -> str:
        return f"/problems/{self.slug}"


# One kind of problem per distinct thing a client can do about it.
VALIDATION = ProblemType("validation-error", "Your request parameters didn't validate.")
MALFORMED = ProblemType("malformed-request", "The request could not be read.")
NOT_AUTHENTICATED = ProblemType("not-authenticated", "Authentication is required.")
AUTH_FAILED = ProblemType("authentication-failed", "The credentials were not accepted.")
PERMISSION_DENIED = ProblemType("permission-denied", "You may not do this.")
NOT_FOUND = ProblemType("not-found", "Not found.")
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", "Method not allowed.")
NOT_ACCEPTABLE = ProblemType("not-acceptable", "No acceptable representation.")
CONFLICT = ProblemType("conflict", "The request conflicts with the current state.")
TOO_LARGE = ProblemType("payload-too-large", "The request body is too large.")
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", "Unsupported media type.")
THROTTLED = ProblemType("throttled", "Too many requests.")
SERVER_ERROR = ProblemType("server-error", "Internal server error.")
UNAVAILABLE = ProblemType("service-unavailable", "A service rehearse depends on is down.")

BY_STATUS: dict[int, ProblemType] = {
    400: MALFORMED,
    401: NOT_AUTHENTICATED,
    403: PERMISSION_DENIED,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    406: NOT_ACCEPTABLE,
    409: CONFLICT,
    413: TOO_LARGE,
    415: UNSUPPORTED_MEDIA_TYPE,
    429: THROTTLED,
    500: SERVER_ERROR,
    503: UNAVAILABLE,
}

ALL_TYPES: tuple[ProblemType, ...] = (VALIDATION, AUTH_FAILED, *BY_STATUS.values())


def problem_body(
    status: int,
    *,
    problem_type: ProblemType | None = None,
    detail: str | None = None,
    errors: dict[str, list[str]] | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    kind = problem_type or BY_STATUS.get(status)
    body: dict[str, Any] = {
        "type": kind.uri if kind else "about:blank",
        "title": kind.title if kind else HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or HTTPStatus(status).description or HTTPStatus(status).phrase,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extensions)
    return body


def problem_response(
    status: int,
    *,
    problem_type: ProblemType | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JsonResponse:
    """A problem as a plain Django response, for code that runs outside DRF views."""
    response = JsonResponse(
        problem_body(status, problem_type=problem_type, detail=detail, **extensions),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
