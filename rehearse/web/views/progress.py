"""The progress page: streak, reviews today, mastery per topic, reviews per day, the
7-day forecast and the interview history.

The twin of the progress API (``rehearse.practice.api.views``): the same selectors with
the same arguments, so the page and the API show the same numbers. The charts are SVG
drawn on the server from ``rehearse.web.charts`` geometry; each also has its numbers
as a table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rehearse.accounts.models import User
from rehearse.practice import progress_cache, selectors, services
from rehearse.web import charts

INTERVIEW_ROWS = 10


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _activity_days(activity: selectors.Activity) -> list[dict[str, Any]]:
    """Every day of the window, the days without reviews included (as zeros)."""
    by_day = {row["day"]: row for row in activity.days}
    days = []
    for offset in range((activity.last_day - activity.first_day).days + 1):
        day = activity.first_day + dt.timedelta(days=offset)
        row = by_day.get(day, {})
        again = row.get("again", 0)
        reviews = row.get("reviews", 0)
        days.append({"day": day, "reviews": reviews, "again": again, "recalled": reviews - again})
    return days


@login_required
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    at = timezone.now()
    # As the interviews API does first: an interview past its time limit is closed, so
    # its status and score are current.
    services.interview_close_overdue(user=user, at=at)
    today = selectors.learner_today(user=user, at=at)
    streak = selectors.review_streak(user=user, today=today)
    activity = selectors.recent_activity(user=user, at=at)
    mastery = progress_cache.topic_mastery(user=user, at=at)
    forecast = selectors.due_forecast(user=user, at=at)
    # One more than is shown: whether to link to the full history.
    interviews = list(
        selectors.interview_list(user=user).order_by("-started_at", "-id")[: INTERVIEW_ROWS + 1]
    )

    days = _activity_days(activity)
    context = {
        "today": today,
        "streak": streak,
        "reviews_today": days[-1]["reviews"],
        "mastery": [{**row, "percent": _percent(row["mastery"])} for row in mastery],
        "mastery_chart": charts.bar_chart(
            [(row["topic_title"], row["mastery"]) for row in mastery],
            max_value=1.0,
            value_text=_percent,
        ),
        "activity": activity,
        "activity_window": len(days),
        "activity_days": [day for day in days if day["reviews"]],
        "activity_chart": charts.column_chart(
            [(f"{day['day'].day} {day['day']:%b}", [day["recalled"], day["again"]]) for day in days]
        ),
        "forecast": forecast,
        "forecast_total": sum(day["cards"] for day in forecast),
        "forecast_chart": charts.column_chart(
            [
                ("Today" if day["day"] == today else f"{day['day']:%a}", [day["cards"]])
                for day in forecast
            ]
        ),
        "interviews": interviews[:INTERVIEW_ROWS],
        "more_interviews": len(interviews) > INTERVIEW_ROWS,
    }
    return render(request, "web/progress/progress.html", context)
