"""``generate-practice-data`` at a small scale, on whichever database the suite runs on."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.practice import selectors
from rehearse.practice.models import Card, CardState, Interview, ReviewDay, ReviewLog

pytestmark = pytest.mark.django_db(transaction=True)


def generate(**options: object) -> str:
    out = io.StringIO()
    call_command("generate-practice-data", stdout=out, **options)
    return out.getvalue()


def test_generates_the_asked_for_cards_logs_and_daily_summary() -> None:
    report = generate(
        email="gen@example.org", cards=300, reviews_per_card=4, reviews_per_day=50, interviews=3
    )
    assert "300 cards, 1200 review logs over 24 days" in report
    user = User.objects.get(email="gen@example.org")
    cards = Card.objects.owned_by(user)
    assert cards.count() == 300
    assert cards.values("question").distinct().count() == 300
    assert cards.filter(state=CardState.REVIEW).count() > 250
    assert cards.filter(is_suspended=True).exists()
    now = timezone.now()
    assert cards.filter(due__lte=now).exists()
    assert cards.filter(due__gt=now).count() > 200
    assert not cards.filter(last_review__gt=now).exists()
    logs = ReviewLog.objects.owned_by(user)
    assert logs.count() == 1200
    assert not logs.filter(
        reviewed_at__gte=now.replace(hour=0, minute=0, second=0, microsecond=0)
    ).exists()
    assert sorted(logs.values_list("rating", flat=True).distinct()) == [1, 2, 3, 4]
    summary = {
        row.day: {
            "again": row.again,
            "hard": row.hard,
            "good": row.good,
            "easy": row.easy,
            "duration_ms": row.duration_ms,
        }
        for row in ReviewDay.objects.filter(user=user)
    }
    assert summary == selectors.review_day_totals(user=user)
    assert 20 <= len(summary) <= 24
    assert Interview.objects.owned_by(user).count() == 3


def test_running_it_again_replaces_the_learners_data() -> None:
    generate(email="gen@example.org", cards=50, reviews_per_card=2, interviews=1)
    generate(email="gen@example.org", cards=20, reviews_per_card=3, interviews=2)
    user = User.objects.get(email="gen@example.org")
    assert Card.objects.owned_by(user).count() == 20
    assert ReviewLog.objects.owned_by(user).count() == 60
    assert Interview.objects.owned_by(user).count() == 2


def test_the_generated_learner_is_served_by_every_endpoint() -> None:
    generate(
        email="gen@example.org", cards=400, reviews_per_card=2, reviews_per_day=40, interviews=2
    )
    api = APIClient()
    api.force_authenticate(User.objects.get(email="gen@example.org"))
    for path in (
        "due/",
        "progress/topics/",
        "progress/activity/",
        "progress/streak/",
        "progress/forecast/",
        "interviews/",
        "reviews/",
    ):
        response = api.get(f"/api/v1/practice/{path}")
        assert response.status_code == 200, (path, response.content)
    assert len(api.get("/api/v1/practice/due/").json()["results"]) > 0
    assert api.get("/api/v1/practice/progress/streak/").json()["current"] >= 1
