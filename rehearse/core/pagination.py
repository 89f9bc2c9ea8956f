"""Keyset ("cursor") pagination that stays fast however deep a client pages.

Page-number pagination runs ``COUNT(*)`` over the whole filtered table on every
page and ``OFFSET n`` makes the database walk past n rows; both grow with the
table. Here a page is "the next ``page_size`` rows after this position in this
ordering", which an index on the ordering columns answers directly.

The position is the ordering values of the last row seen, plus the primary key as a
tie-breaker so that equal values (two questions of the same difficulty) never make
a row appear twice or vanish. Cursors are signed: a client cannot forge one that
makes the query compare a date column with a string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core import signing
from django.db.models import Model, Q, QuerySet, prefetch_related_objects
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

_SALT = "rehearse.pagination.cursor"


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    max_page_size = 100

    def __init__(self) -> None:
        self.page_size: int = api_settings.PAGE_SIZE or 20
        self.next_url: str | None = None
        self.previous_url: str | None = None

    # -- request side --------------------------------------------------------------

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Enter a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return size

    def _decode(self, request: Request, ordering: Sequence[str]) -> tuple[list[Any], bool] | None:
        token = request.query_params.get(self.cursor_query_param)
        if not token:  # absent, or "cursor=" as forms send it: the first page
            return None
        try:
            payload = signing.loads(token, salt=_SALT)
        except signing.BadSignature:
            raise ValidationError(
                {self.cursor_query_param: ["This cursor is malformed; use the links we sent."]}
            ) from None
        if payload.get("o") != list(ordering):
            raise ValidationError(
                {self.cursor_query_param: ["This cursor belongs to another ordering."]}
            )
        return payload["v"], bool(payload["r"])

    @staticmethod
    def _ordering(queryset: QuerySet[Any]) -> list[str]:
        ordering = [str(field) for field in queryset.query.order_by] or ["-pk"]
        if not any(field.lstrip("-") in ("pk", "id") for field in ordering):
            # The primary key makes every position unique; it follows the direction of
            # the last column so one composite index can serve the whole ordering.
            ordering.append("-pk" if ordering[-1].startswith("-") else "pk")
        return ordering

    @staticmethod
    def _after(
        model: type[Model], ordering: Sequence[str], values: Sequence[Any], reverse: bool
    ) -> Q:
        """Rows strictly after ``values`` in ``ordering`` (before them if ``reverse``)."""
        condition = Q()
        for index, field in enumerate(ordering):
            name = field.lstrip("-")
            descending = field.startswith("-") != reverse
            column = model._meta.pk if name == "pk" else model._meta.get_field(name)
            value = column.to_python(values[index])  # type: ignore[union-attr]
            step = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
            for prior_field, prior_value in zip(ordering[:index], values[:index], strict=True):
                prior_name = prior_field.lstrip("-")
                prior_column = (
                    model._meta.pk if prior_name == "pk" else model._meta.get_field(prior_name)
                )
                step &= Q(**{prior_name: prior_column.to_python(prior_value)})  # type: ignore[union-attr]
            condition |= step
        return condition

    def paginate_queryset(  # type: ignore[override]  # keyset pages need a QuerySet
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any]:
        self.request = request
        size = self.get_page_size(request)
        ordering = self._ordering(queryset)
        cursor = self._decode(request, ordering)
        reverse = bool(cursor and cursor[1])
        if reverse:
            flipped = [field[1:] if field.startswith("-") else f"-{field}" for field in ordering]
            queryset = queryset.order_by(*flipped)
        else:
            queryset = queryset.order_by(*ordering)
        if cursor is not None:
            queryset = queryset.filter(self._after(queryset.model, ordering, cursor[0], reverse))
        # One row past the page tells whether there is a next page; its related
        # objects are not needed, so prefetching waits until it is cut off.
        lookups = queryset._prefetch_related_lookups  # type: ignore[attr-defined]
        rows = list(queryset.prefetch_related(None)[: size + 1])
        has_more = len(rows) > size
        rows = rows[:size]
        if lookups:
            prefetch_related_objects(rows, *lookups)
        if reverse:
            rows.reverse()
        has_next = (not reverse and has_more) or (reverse and cursor is not None)
        has_previous = (not reverse and cursor is not None) or (reverse and has_more)
        self.next_url = self._link(ordering, rows[-1], False) if has_next and rows else None
        self.previous_url = self._link(ordering, rows[0], True) if has_previous and rows else None
        if has_previous and not rows:
            self.previous_url = remove_query_param(
                request.build_absolute_uri(), self.cursor_query_param
            )
        return rows

    def _link(self, ordering: Sequence[str], row: Model, reverse: bool) -> str:
        values = [_json_value(getattr(row, field.lstrip("-"))) for field in ordering]
        token = signing.dumps({"o": list(ordering), "v": values, "r": reverse}, salt=_SALT)
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, token)

    # -- response side -------------------------------------------------------------

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.next_url, "previous": self.previous_url, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's next/previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (1 to {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
