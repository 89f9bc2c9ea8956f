"""The daily review: the due queue as flashcards, one card per page, rated 1-4.

A card is shown with a signed token naming the card and the due time it was shown
at. The rating POST checks it: a second press of the same key (or a form sent twice)
finds the card already rescheduled and records nothing; and the time the learner took
is measured by the server from the token, so the page needs no script for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from rehearse.accounts.models import User
from rehearse.core.exceptions import DomainError
from rehearse.practice import selectors, services
from rehearse.practice.api.serializers import ReviewCreateSerializer
from rehearse.practice.models import MAX_REVIEW_MS, Card, Rating

TOKEN_SALT = "rehearse.web.review"  # noqa: S105 - a namespace, not a secret
TOKEN_MAX_AGE = 24 * 60 * 60
RATINGS = [(rating.label, str(rating.value)) for rating in Rating]


def _token(card: Card, shown_at: dt.datetime) -> str:
    return signing.dumps(
        {"card": card.pk, "due": card.due.isoformat(), "shown": shown_at.timestamp()},
        salt=TOKEN_SALT,
    )


def _page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    queue = selectors.due_queue(user=user, at=now)
    left = queue.count_today()
    card = queue.cards.first() if left else None
    context: dict[str, Any] = {"card": card, "left": left, "ratings": RATINGS, "error": error}
    if card is not None:
        context["token"] = _token(card, now)
    else:
        context["more_due"] = queue.cards.exists()
        context["next_due"] = selectors.next_due_at(user=user, at=now)
        context["reviewed_today"] = user.daily_review_limit - queue.reviews_left_today
    return render(request, "web/review/review.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    try:
        shown = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return _page(
            request, status=400, error="This card was shown too long ago; here it is again."
        )
    card = get_object_or_404(Card.objects.owned_by(request.user), pk=shown["card"])
    if card.due.isoformat() != shown["due"]:
        messages.info(request, "That card was already rated; here is the next one.")
        return redirect("web:review")
    elapsed_ms = int((timezone.now().timestamp() - shown["shown"]) * 1000)
    form = ReviewCreateSerializer(
        data={
            "card": card.pk,
            "rating": request.POST.get("rating", ""),
            "duration_ms": min(max(elapsed_ms, 1), MAX_REVIEW_MS),
        }
    )
    if not form.is_valid():
        return _page(request, status=400, error="Choose Again, Hard, Good or Easy.")
    try:
        services.review_record(
            card=card,
            user=request.user,  # type: ignore[arg-type]
            rating=Rating(form.validated_data["rating"]),
            duration_ms=form.validated_data["duration_ms"],
        )
    except DomainError as error:
        return _page(request, status=error.status, error=error.detail)
    return redirect("web:review")
