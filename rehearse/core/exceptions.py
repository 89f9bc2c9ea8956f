"""Errors: domain exceptions, and the one place that turns any error into problem+json.

Services raise the domain exceptions below (never HTTP exceptions); DRF views hand
every exception to ``problem_exception_handler``; Django's own 400/403/404/500
handlers answer problem+json under ``/api/`` through ``api_aware_handler``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.views import defaults
from rest_framework import exceptions as drf
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from rehearse.core import problems
from rehearse.core.problems import ProblemType, problem_body, problem_response

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of rehearse said no. Subclasses pick the status and the problem type."""

    status: int = 409
    problem_type: ProblemType = problems.CONFLICT

    def __init__(
        self, detail: str, *, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions


class DependencyUnavailable(DomainError):
    status = 503
    problem_type = problems.UNAVAILABLE


class ProblemJSONRenderer(JSONRenderer):
    media_type = problems.PROBLEM_CONTENT_TYPE


_DRF_TYPES: dict[type[drf.APIException], ProblemType] = {
    drf.ValidationError: problems.VALIDATION,
    drf.ParseError: problems.MALFORMED,
    drf.AuthenticationFailed: problems.AUTH_FAILED,
    drf.NotAuthenticated: problems.NOT_AUTHENTICATED,
}


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as ``{"field.subfield": [messages]}``."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "non_field_errors" if key in ("non_field_errors", "__all__") else str(key)
            flat.update(flatten_errors(value, f"{prefix}.{name}" if prefix else name))
        return flat
    if isinstance(detail, Sequence) and not isinstance(detail, str):
        if all(not isinstance(item, Mapping | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def _validation_detail(errors: dict[str, list[str]]) -> str:
    if list(errors) == ["non_field_errors"]:
        return " ".join(errors["non_field_errors"])
    fields = ", ".join(sorted(errors))
    return f"Invalid input in: {fields}."


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error a view raises, as problem+json."""
    response: Response | None
    if isinstance(exc, DomainError):
        response = Response(
            problem_body(
                exc.status, problem_type=exc.problem_type, detail=exc.detail, **exc.extensions
            ),
            status=exc.status,
            headers=exc.headers,
        )
    elif isinstance(exc, DjangoValidationError):
        # Services validate models with full_clean(); their errors are bad input too.
        return problem_exception_handler(drf.ValidationError(as_serializer_error(exc)), context)
    elif isinstance(exc, RequestDataTooBig):
        response = Response(problem_body(413, detail=str(exc)), status=413)
    else:
        # Imported here: rest_framework.views reads the API settings at import time,
        # and those name classes that raise DomainError.
        from rest_framework.views import exception_handler as drf_exception_handler

        response = drf_exception_handler(exc, context)
        if response is None:
            return None  # an unexpected error: Django logs it and handler500 answers
        kind = next(
            (ptype for cls, ptype in _DRF_TYPES.items() if isinstance(exc, cls)),
            problems.BY_STATUS.get(response.status_code),
        )
        if isinstance(exc, drf.ValidationError):
            errors = flatten_errors(exc.detail)
            response.data = problem_body(
                400, problem_type=kind, detail=_validation_detail(errors), errors=errors
            )
        else:
            detail = getattr(exc, "detail", None)
            if isinstance(detail, Mapping):  # simplejwt: {"detail": ..., "code": ...}
                detail = detail.get("detail") or next(iter(detail.values()), None)
            response.data = problem_body(
                response.status_code,
                problem_type=kind,
                detail=str(detail) if detail is not None else None,
            )
    request = context.get("request")
    if request is not None:
        # Errors are always JSON, whatever renderer the client asked for.
        request.accepted_renderer = ProblemJSONRenderer()
        request.accepted_media_type = problems.PROBLEM_CONTENT_TYPE
    response.content_type = problems.PROBLEM_CONTENT_TYPE
    return response


_HTML_HANDLERS: dict[int, Callable[..., HttpResponse]] = {
    400: defaults.bad_request,
    403: defaults.permission_denied,
    404: defaults.page_not_found,
    500: defaults.server_error,
}

_HANDLER_DETAILS = {
    400: "The request could not be understood.",
    403: "You may not do this.",
    404: "There is nothing at this address.",
    500: "Something went wrong on our side; it has been logged.",
}


def api_aware_handler(status: int) -> Callable[..., HttpResponse]:
    """A Django error handler that answers problem+json for API paths, HTML elsewhere."""

    def handler(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        if request.path.startswith("/api/"):
            return problem_response(status, detail=_HANDLER_DETAILS[status])
        if status == 500:
            return _HTML_HANDLERS[500](request)
        return _HTML_HANDLERS[status](request, exception)

    handler.__name__ = f"handler{status}"
    return handler
