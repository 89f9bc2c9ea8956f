"""Middleware that every request passes: request ids and the request-body limit."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from rehearse.core.problems import problem_response
from rehearse.core.request_id import accept_or_make, current_request_id

GetResponse = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Adopt the proxy's ``X-Request-ID`` (or make one), log with it, and echo it back."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accept_or_make(request.headers.get("X-Request-ID"))
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class QueryTextMiddleware:
    """Refuse a query string holding NUL characters with 400 before any view runs.

    Django decodes ``%00`` into the text it hands to filters and lookups, and
    PostgreSQL cannot compare text with a NUL in it: the query would fail with a 500.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%00" in request.META.get("QUERY_STRING", "") and any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return problem_response(
                400, detail="Query parameters may not contain NUL characters (%00)."
            )
        return self.get_response(request)


class BodySizeLimitMiddleware:
    """Refuse a body larger than the limit with 413 before anything reads it.

    Django itself only notices an oversized body when a view reads it and then
    answers 400; a client that sent too much deserves to be told so, and a body
    declared too large is not worth reading at all.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return problem_response(400, detail="The Content-Length header is not a number.")
        if limit is not None and length > limit:
            return problem_response(
                413,
                detail=f"The request body is {length} bytes; the limit is {limit} bytes.",
            )
        return self.get_response(request)
