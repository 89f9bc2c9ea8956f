"""Spaced-repetition scheduling: the glue between rehearse's cards and the fsrs package.

Plain values in, plain values out: no ORM, no settings and no clock (callers pass the
time), so every rule here is tested without a database.

- The scheduler is FSRS-6 with its default parameters, a desired retention of 90%,
  learning steps of 1 and 10 minutes and a relearning step of 10 minutes. Fuzzing is
  off: the same reviews always give the same schedule, which is what lets the
  concurrency tests compare a card with its reviews replayed one after the other.
- The interview date caps every interval: a card that FSRS would next show after the
  interview is due instead at the start of the interview day in the learner's time
  zone (the end of its eve), so it comes up once more before the interview. Once that
  moment has passed the cap no longer applies; it never makes a card due in the past.
- Days are the learner's days: "tomorrow" and "today" are computed in their time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler, State

SCHEDULER = Scheduler(enable_fuzzing=False)

# The forgetting curve R(t) = (1 + FACTOR * t / S) ** DECAY, with t in whole days since
# the last review and S the stability; selectors.py computes the same in SQL.
DECAY: float = -SCHEDULER.parameters[20]
FACTOR: float = 0.9 ** (1 / DECAY) - 1

RATING_BY_NAME: dict[str, Rating] = {
    "again": Rating.Again,
    "hard": Rating.Hard,
    "good": Rating.Good,
    "easy": Rating.Easy,
}
SELF_GRADES = range(4)


@dataclass(frozen=True)
class Memory:
    """What the scheduler knows about a card: the columns of ``practice.Card``."""

    state: State
    step: int | None
    stability: float | None
    difficulty: float | None
    due: dt.datetime
    last_review: dt.datetime | None


def new_memory(*, at: dt.datetime) -> Memory:
    """A card never reviewed, due at ``at``."""
    return Memory(State.Learning, 0, None, None, _utc(at), None)


def rating_for_self_grade(grade: int) -> Rating:
    """An interview self-grade 0-3 as the review rating: 0 Again, 1 Hard, 2 Good, 3 Easy."""
    if grade not in SELF_GRADES:
        raise ValueError(f"a self-grade is 0 to 3, not {grade}")
    return Rating(grade + 1)


def review(
    memory: Memory, *, rating: Rating, at: dt.datetime, cap: dt.datetime | None = None
) -> Memory:
    """The memory after a review with ``rating`` at ``at``, its due time capped at ``cap``."""
    at = _utc(at)
    card = Card(
        card_id=0,  # fsrs sleeps a millisecond to invent an id when given none
        state=State(memory.state),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=_utc(memory.due),
        last_review=_utc(memory.last_review) if memory.last_review else None,
    )
    reviewed, _ = SCHEDULER.review_card(card, Rating(rating), review_datetime=at)
    due = reviewed.due
    if cap is not None and at < cap < due:
        due = cap
    return Memory(
        state=reviewed.state,
        step=reviewed.step,
        stability=reviewed.stability,
        difficulty=reviewed.difficulty,
        due=due,
        last_review=reviewed.last_review,
    )


def retrievability(memory: Memory, *, at: dt.datetime) -> float:
    """The predicted probability of recalling the card at ``at`` (0 if never reviewed)."""
    if memory.last_review is None or memory.stability is None:
        return 0.0
    elapsed_days = max(0, (_utc(at) - _utc(memory.last_review)).days)
    return float((1 + FACTOR * elapsed_days / memory.stability) ** DECAY)


def interview_cap(interview_date: dt.date | None, tz: ZoneInfo) -> dt.datetime | None:
    """The latest due time before an interview: the start of its day, in UTC."""
    if interview_date is None:
        return None
    return day_start(interview_date, tz)


def local_day(at: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The learner's calendar date at the instant ``at``."""
    return at.astimezone(tz).date()


def day_start(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The instant (UTC) the learner's ``day`` begins."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz).astimezone(dt.UTC)


def start_of_tomorrow(at: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The instant (UTC) the learner's next day begins: when a buried card returns."""
    return day_start(local_day(at, tz) + dt.timedelta(days=1), tz)


def _utc(value: dt.datetime) -> dt.datetime:
    # fsrs insists on datetime.timezone.utc itself, not merely an aware datetime.
    if value.tzinfo is None:
        raise ValueError("scheduling needs aware datetimes")
    return value.astimezone(dt.UTC)
