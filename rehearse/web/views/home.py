"""The front page: what rehearse is, or, signed in, what is next today."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rehearse.practice import selectors as practice_selectors
from rehearse.questions import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {}
    if request.user.is_authenticated:
        queue = practice_selectors.due_queue(user=request.user, at=timezone.now())
        context["due_today"] = queue.count_today()
        context["enrolments"] = (
            practice_selectors.enrolment_list(user=request.user)
            .select_related("topic")
            .order_by("topic__title")
        )
    else:
        context["topics"] = selectors.topic_list(user=request.user).order_by("title")
    return render(request, "web/home.html", context)
