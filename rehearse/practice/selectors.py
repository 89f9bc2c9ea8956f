"""Reads of practice data: the due queue, progress, interview history, exports.

Progress is computed by the database: joins and GROUP BY over indexed ranges, one
query per figure, never a loop over rows in Python. docs/practice.md shows the SQL
and its EXPLAIN plans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Floor, Greatest, Power, Trim, TruncDate

from rehearse.practice import scheduling
from rehearse.practice.models import (
    Card,
    CardQuerySet,
    Enrolment,
    EnrolmentQuerySet,
    Interview,
    InterviewItem,
    InterviewQuerySet,
    InterviewStatus,
    Rating,
    ReviewDay,
    ReviewLog,
    ReviewLogQuerySet,
)
from rehearse.questions.models import Question, QuestionQuerySet, QuestionStatus

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    from rehearse.accounts.models import User

FORECAST_DAYS = 7
# The reviews-per-day window the progress API and page show unless asked otherwise.
ACTIVITY_DAYS = 30


def user_zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.time_zone)


# -- questions a learner can practice -------------------------------------------------


def practicable_questions(*, user: User) -> QuestionQuerySet:
    """Questions the learner may see that are published and have an answer to reveal."""
    return (
        Question.objects.visible_to(user)
        .published()
        .alias(trimmed_answer=Trim("answer"))
        .exclude(trimmed_answer="")
    )


# -- cards and the due queue ---------------------------------------------------------


def enrolment_list(*, user: User) -> EnrolmentQuerySet:
    return Enrolment.objects.owned_by(user).select_related("topic")


def card_list(*, user: User) -> CardQuerySet:
    return Card.objects.owned_by(user).select_related("question__topic")


def reviews_done_on(*, user: User, day: dt.date) -> int:
    """Reviews the learner did on their local ``day`` (one row of the daily summary)."""
    counts = ReviewDay.objects.filter(user=user, day=day).values_list(
        F("again") + F("hard") + F("good") + F("easy"), flat=True
    )
    return next(iter(counts), 0)


@dataclass(frozen=True)
class DueQueue:
    cards: CardQuerySet
    reviews_left_today: int

    def count_today(self) -> int:
        """How many cards the queue serves today: due ones, up to today's allowance."""
        return self.cards[: self.reviews_left_today].count()


def due_queue(*, user: User, at: dt.datetime) -> DueQueue:
    """The cards to review now, oldest due first, and how many of them today allows.

    The allowance is ``daily_review_limit`` minus the reviews already done today (the
    learner's today); the queue served is the first ``reviews_left_today`` cards of
    ``cards`` (``api.pagination.DueQueuePagination`` cuts it there). The
    ``card_user_due`` index walks them in (due, id) order.
    """
    done = reviews_done_on(user=user, day=scheduling.local_day(at, user_zone(user)))
    cards = (
        card_list(user=user)
        .due(at)
        .filter(question__status=QuestionStatus.PUBLISHED)
        .order_by("due", "id")
    )
    return DueQueue(cards=cards, reviews_left_today=max(0, user.daily_review_limit - done))


def review_log_list(*, user: User) -> ReviewLogQuerySet:
    return ReviewLog.objects.owned_by(user)


# -- progress ------------------------------------------------------------------------


class EpochDays(Func):
    """A timestamp as fractional days since 1970-01-01 UTC, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM %(expressions)s)::double precision / 86400.0)",
            **extra,
        )

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler, connection, template="(julianday(%(expressions)s) - 2440587.5)", **extra
        )


def retrievability_sql(at: dt.datetime) -> Expression:
    """FSRS retrievability of each card at ``at``, as SQL: scheduling.retrievability.

    R = (1 + FACTOR * t / S) ** DECAY with t the whole days since the last review;
    a card never reviewed has no stability, and R = 0.
    """
    elapsed = Greatest(
        Floor(Value(at.timestamp() / 86400.0) - EpochDays(F("last_review"))),
        Value(0.0),
        output_field=FloatField(),
    )
    curve = Power(
        Value(1.0) + Value(scheduling.FACTOR) * elapsed / F("stability"),
        Value(scheduling.DECAY),
        output_field=FloatField(),
    )
    return Coalesce(curve, Value(0.0), output_field=FloatField())


def topic_mastery(*, user: User, at: dt.datetime) -> QuerySet[Any, Any]:
    """Per topic: cards, cards reviewed at least once, and mastery.

    Mastery is the mean retrievability of the topic's cards at ``at`` (new cards count
    as 0): one query, cards joined to questions and topics, grouped by topic. It reads
    every card of the learner; ``progress_cache.topic_mastery`` keeps the result.
    """
    return (
        Card.objects.owned_by(user)
        .values(topic_slug=F("question__topic__slug"), topic_title=F("question__topic__title"))
        .annotate(
            cards=Count("id"),
            reviewed=Count("id", filter=Q(last_review__isnull=False)),
            mastery=Avg(retrievability_sql(at)),
        )
        .order_by("topic_title", "topic_slug")
    )


def review_activity(*, user: User, first_day: dt.date, last_day: dt.date) -> QuerySet[Any, Any]:
    """Reviews per local day between two dates, from the daily summary (index range)."""
    return (
        ReviewDay.objects.filter(user=user, day__gte=first_day, day__lte=last_day)
        .annotate(reviews=F("again") + F("hard") + F("good") + F("easy"))
        .values("day", "reviews", "again", "hard", "good", "easy", "duration_ms")
        .order_by("day")
    )


def learner_today(*, user: User, at: dt.datetime) -> dt.date:
    """The learner's date at ``at``: their days start at midnight in their time zone."""
    return scheduling.local_day(at, user_zone(user))


@dataclass(frozen=True)
class Activity:
    first_day: dt.date
    last_day: dt.date  # the learner's today
    days: QuerySet[Any, Any]  # review_activity rows: only the days with reviews


def recent_activity(*, user: User, at: dt.datetime, days: int = ACTIVITY_DAYS) -> Activity:
    """Reviews per local day over the learner's last ``days`` days, today included."""
    today = learner_today(user=user, at=at)
    first_day = today - dt.timedelta(days=days - 1)
    rows = review_activity(user=user, first_day=first_day, last_day=today)
    return Activity(first_day=first_day, last_day=today, days=rows)


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int
    last_day: dt.date | None


def streak_sql(*, user: User, today: dt.date) -> tuple[str, list[Any]]:
    """The streak query (see ``review_streak``): SQL and parameters, for EXPLAIN too."""
    table = ReviewDay._meta.db_table
    if connection.vendor == "postgresql":
        day_number = "(day - DATE '1970-01-01')"
    else:
        day_number = "CAST(julianday(day) AS INTEGER)"
    sql = f"""
        WITH numbered AS (
            SELECT day, {day_number} - ROW_NUMBER() OVER (ORDER BY day) AS island
            FROM {table}
            WHERE user_id = %s AND day <= %s
        ), islands AS (
            SELECT COUNT(*) AS length, MAX(day) AS last_day FROM numbered GROUP BY island
        )
        SELECT
            COALESCE(MAX(CASE WHEN last_day >= %s THEN length END), 0),
            COALESCE(MAX(length), 0),
            MAX(last_day)
        FROM islands
    """  # noqa: S608 -- table and expressions are ours; values are parameters
    adapt = connection.ops.adapt_datefield_value
    return sql, [user.pk, adapt(today), adapt(today - dt.timedelta(days=1))]


def review_streak(*, user: User, today: dt.date) -> Streak:
    """Consecutive local days with reviews: the current run and the longest one.

    "Gaps and islands" in one query over the daily summary: numbering the days with
    reviews in order, a day's number minus its position is the same for every day of
    one unbroken run, so GROUP BY that difference gives the runs. The current streak
    is the run that ends today or yesterday (a learner who has not reviewed yet today
    keeps it until midnight).
    """
    sql, params = streak_sql(user=user, today=today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        current, longest, last_day = cursor.fetchone()
    if isinstance(last_day, str):
        last_day = dt.date.fromisoformat(last_day)
    return Streak(current=int(current), longest=int(longest), last_day=last_day)


def due_forecast(*, user: User, at: dt.datetime) -> list[dict[str, Any]]:
    """Cards due on each of the learner's next seven days; overdue ones count today.

    One query: the cards due before the end of the seventh day (an index range on
    ``card_user_due``), grouped by the local date they become reviewable.
    """
    today = scheduling.local_day(at, user_zone(user))
    counts = dict(due_forecast_counts(user=user, at=at))
    days = [today + dt.timedelta(days=offset) for offset in range(FORECAST_DAYS)]
    return [{"day": day, "cards": counts.get(day, 0)} for day in days]


def due_forecast_counts(*, user: User, at: dt.datetime) -> QuerySet[Any, Any]:
    """(local date, cards) for the days of the forecast that have cards due."""
    tz = user_zone(user)
    end = scheduling.day_start(scheduling.local_day(at, tz) + dt.timedelta(days=FORECAST_DAYS), tz)
    now = Value(at, output_field=DateTimeField())
    reviewable = Greatest(F("due"), Coalesce(F("buried_until"), F("due")), now)
    return (
        Card.objects.owned_by(user)
        .filter(is_suspended=False, due__lt=end)
        .annotate(day=TruncDate(reviewable, tzinfo=tz))
        .values("day")
        .annotate(cards=Count("id"))
        .values_list("day", "cards")
    )


# -- interviews ----------------------------------------------------------------------


def interview_list(*, user: User) -> InterviewQuerySet:
    """Interview history with scores; the number of questions is a correlated count."""
    item_count = (
        InterviewItem.objects.filter(interview=OuterRef("pk"))
        .values("interview")
        .annotate(count=Count("id"))
        .values("count")
    )
    answered_count = (
        InterviewItem.objects.filter(interview=OuterRef("pk"), answered_at__isnull=False)
        .values("interview")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        Interview.objects.owned_by(user)
        .annotate(
            question_count=Coalesce(Subquery(item_count), 0, output_field=IntegerField()),
            answered_count=Coalesce(Subquery(answered_count), 0, output_field=IntegerField()),
        )
        .prefetch_related("topics")
    )


def interview_detail(*, user: User) -> InterviewQuerySet:
    return interview_list(user=user).prefetch_related("items__question__topic")


def overdue_interview_ids(*, user: User, at: dt.datetime) -> list[int]:
    """Open interviews past their deadline (at most one: one may be open at a time)."""
    return list(
        Interview.objects.owned_by(user)
        .filter(status=InterviewStatus.OPEN, deadline__lt=at)
        .values_list("id", flat=True)
    )


def recently_seen_question_ids(*, user: User, interviews: int) -> QuerySet[InterviewItem, int]:
    recent = list(
        Interview.objects.owned_by(user)
        .order_by("-started_at", "-id")
        .values_list("id", flat=True)[:interviews]
    )
    return InterviewItem.objects.filter(interview__in=recent).values_list("question_id", flat=True)


# -- export --------------------------------------------------------------------------


def export_cards(*, user: User) -> Iterator[Mapping[str, Any]]:
    return (
        Card.objects.owned_by(user)
        .order_by("id")
        .values(
            "id",
            "state",
            "step",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "reps",
            "lapses",
            "is_suspended",
            "buried_until",
            "created_at",
            "question_id",
            topic=F("question__topic__slug"),
            question_slug=F("question__slug"),
            title=F("question__title"),
        )
        .iterator(chunk_size=2000)
    )


def export_reviews(*, user: User) -> Iterator[Mapping[str, Any]]:
    return (
        ReviewLog.objects.owned_by(user)
        .order_by("reviewed_at", "id")
        .values(
            "id",
            "card_id",
            "rating",
            "reviewed_at",
            "duration_ms",
            "source",
            "state",
            "stability",
            "difficulty",
            "due",
        )
        .iterator(chunk_size=5000)
    )


def export_interviews(*, user: User) -> Iterator[Interview]:
    return (
        Interview.objects.owned_by(user)
        .order_by("started_at", "id")
        .prefetch_related("topics", "items")
        .iterator(chunk_size=200)
    )


def deck_questions(*, user: User, topic_slugs: list[str]) -> QuestionQuerySet:
    """The questions of the learner's cards (of some topics), for an Anki deck."""
    questions = practicable_questions(user=user).filter(cards__user=user)
    if topic_slugs:
        questions = questions.filter(topic__slug__in=topic_slugs)
    return questions.select_related("topic").prefetch_related("tags").order_by("topic__slug", "id")


def review_day_totals(*, user: User) -> dict[dt.date, dict[str, int]]:
    """The daily summary recomputed from the review log: one GROUP BY over the log."""
    rows = (
        ReviewLog.objects.owned_by(user)
        .annotate(day=TruncDate("reviewed_at", tzinfo=user_zone(user)))
        .values("day")
        .annotate(
            again=Count("id", filter=Q(rating=Rating.AGAIN)),
            hard=Count("id", filter=Q(rating=Rating.HARD)),
            good=Count("id", filter=Q(rating=Rating.GOOD)),
            easy=Count("id", filter=Q(rating=Rating.EASY)),
            duration_ms=Coalesce(Sum("duration_ms"), 0),
        )
        .order_by("day")
    )
    return {
        row["day"]: {
            "again": row["again"],
            "hard": row["hard"],
            "good": row["good"],
            "easy": row["easy"],
            "duration_ms": int(row["duration_ms"]),
        }
        for row in rows
    }


def next_due_at(*, user: User, at: dt.datetime) -> dt.datetime | None:
    """When the learner's next card comes due after ``at`` (the end of a review session).

    Suspended cards never come due; a buried card comes back when its burial ends.
    """
    cards = card_list(user=user).filter(
        is_suspended=False, question__status=QuestionStatus.PUBLISHED
    )
    comes_back = Greatest("due", Coalesce("buried_until", "due"))
    later = cards.annotate(comes_back=comes_back).filter(comes_back__gt=at)
    return later.aggregate(next_due=Min("comes_back"))["next_due"]
