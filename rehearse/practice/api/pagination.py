"""Keyset pages over the due queue, which ends after the day's remaining allowance.

The queue is "the first N due cards in (due, id) order", N being what the daily
review limit leaves for today. Cutting the queryset to N first (``id IN (SELECT ...
LIMIT N)``) would make every page read all N cards; instead a page is served like
any keyset page (an index walk of one page) and then cut where the queue ends. Only
a page after the first needs to know how many cards come before it: one COUNT over
the index range up to its cursor.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request

from rehearse.core.pagination import KeysetPagination


class DueQueuePagination(KeysetPagination):
    """``view.queue_length`` says where the queue ends."""

    def paginate_queryset(  # type: ignore[override]
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any]:
        length: int = view.queue_length
        ordering = self._ordering(queryset)
        cursor = self._decode(request, ordering)
        before = 0
        if cursor is not None and not cursor[1]:
            # Cards up to and including the cursor's card: those already served.
            after = self._after(queryset.model, ordering, cursor[0], reverse=False)
            before = queryset.exclude(after).count()
        rows = super().paginate_queryset(queryset, request, view)
        if cursor is not None and cursor[1]:
            return rows  # a previous page lies before a served card: within the queue
        room = max(0, length - before)
        if len(rows) >= room:
            rows = rows[:room]
            self.next_url = None
        return rows
