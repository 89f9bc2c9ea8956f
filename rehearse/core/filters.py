"""The filter backend every list endpoint uses."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request


class FilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the view's filters.

    Building and validating a FilterSet (a form, a deep copy of every filter) costs
    more than the rest of a list request's Python work; when no filter or ordering
    parameter is present it could only return the queryset unchanged.
    """

    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or request.query_params.keys().isdisjoint(
            filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
