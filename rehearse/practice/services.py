"""Writes to practice data. Each public function is one transaction, except that
answering or finishing an interview past its deadline first commits its closing and
then refuses (the refusal must not undo the closing).

Concurrency: a review reads a card, computes its next state and writes it back. Two
reviews of one card at the same moment would both read the same state and the second
write would erase the first (a lost update), so every write path reads the card with
``SELECT ... FOR UPDATE`` (``_lock_cards``): the second review waits until the first
commits and then starts from its result. Paths that lock several cards lock them in
id order, so two of them can never wait for each other (no deadlock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from rehearse.core import problems
from rehearse.core.exceptions import DomainError
from rehearse.practice import progress_cache, scheduling, selectors
from rehearse.practice.models import (
    Card,
    CardState,
    Enrolment,
    Interview,
    InterviewItem,
    InterviewStatus,
    Rating,
    ReviewDay,
    ReviewLog,
    ReviewSource,
)
from rehearse.questions.models import Question, Topic

if TYPE_CHECKING:
    from rehearse.accounts.models import User

# Questions of the learner's last few interviews are not drawn again while the pool
# has others left.
RECENT_INTERVIEWS = 5


class CardSuspended(DomainError):
    """Reviewing a suspended card: unsuspend it first."""


class CardExists(DomainError):
    """The learner already has a card for this question."""


class InterviewInProgress(DomainError):
    """Only one interview may be open at a time."""


class InterviewClosed(DomainError):
    """The interview was finished, or closed at its time limit."""


class NotEnoughQuestions(DomainError):
    """Fewer practicable questions match than the interview asks for."""


class NoSuchItem(DomainError):
    status = 404
    problem_type = problems.NOT_FOUND


# -- cards ---------------------------------------------------------------------------


def _lock_cards(*, ids: Sequence[int]) -> list[Card]:
    """The cards, locked until the transaction ends, in id order (see the module doc)."""
    return list(Card.objects.select_for_update(of=("self",)).filter(id__in=ids).order_by("id"))


def _apply_review(
    *,
    card: Card,
    user: User,
    rating: Rating,
    at: dt.datetime,
    duration_ms: int | None,
    source: ReviewSource,
) -> ReviewLog:
    """Schedule a locked card after a review, save it, log it and count it for the day."""
    tz = selectors.user_zone(user)
    # Never before the last review, even if another server's clock runs behind.
    at = max(at, card.last_review) if card.last_review else at
    memory = scheduling.review(
        card.memory,
        rating=scheduling.Rating(rating),
        at=at,
        cap=scheduling.interview_cap(user.interview_date, tz),
    )
    if rating == Rating.AGAIN and card.state == CardState.REVIEW:
        card.lapses += 1
    card.state = CardState(memory.state)
    card.step = memory.step
    card.stability = memory.stability
    card.difficulty = memory.difficulty
    card.due = memory.due
    card.last_review = memory.last_review
    card.reps += 1
    card.buried_until = None
    card.save(
        update_fields=[
            "state",
            "step",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "reps",
            "lapses",
            "buried_until",
        ]
    )
    assert memory.stability is not None
    assert memory.difficulty is not None
    log = ReviewLog.objects.create(
        card=card,
        user=user,
        rating=rating,
        reviewed_at=at,
        duration_ms=duration_ms,
        source=source,
        state=memory.state,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.due,
    )
    _count_review(
        user=user, day=scheduling.local_day(at, tz), rating=rating, duration_ms=duration_ms
    )
    progress_cache.cards_changed(user.pk)
    return log


def _count_review(*, user: User, day: dt.date, rating: Rating, duration_ms: int | None) -> None:
    """Add one review to the learner's day: an atomic upsert, safe under concurrency.

    ``INSERT ... ON CONFLICT DO UPDATE SET n = n + 1`` has the same syntax on
    PostgreSQL and SQLite; the database serialises concurrent increments of one row,
    so none is lost and the first review of a day cannot be inserted twice.
    """
    table = ReviewDay._meta.db_table
    counts = {name: int(rating == value) for name, value in _RATING_COLUMNS.items()}
    sql = f"""
        INSERT INTO {table} (user_id, day, again, hard, good, easy, duration_ms)
        VALUES (%s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (user_id, day) DO UPDATE SET
            again = {table}.again + excluded.again,
            hard = {table}.hard + excluded.hard,
            good = {table}.good + excluded.good,
            easy = {table}.easy + excluded.easy,
            duration_ms = {table}.duration_ms + excluded.duration_ms
    """  # noqa: S608 -- the table name is ours; values are parameters
    params = [
        user.pk,
        connection.ops.adapt_datefield_value(day),
        *counts.values(),
        duration_ms or 0,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


_RATING_COLUMNS = {
    "again": Rating.AGAIN,
    "hard": Rating.HARD,
    "good": Rating.GOOD,
    "easy": Rating.EASY,
}


@transaction.atomic
def review_record(
    *,
    card: Card,
    user: User,
    rating: Rating,
    duration_ms: int,
    at: dt.datetime | None = None,
) -> ReviewLog:
    """Record a review from the due queue and reschedule the card.

    The time of the review is taken once the card is locked, so the reviews of one
    card are logged in the order they were applied.
    """
    [locked] = _lock_cards(ids=[card.pk])
    if locked.is_suspended:
        raise CardSuspended("This card is suspended; unsuspend it to review it.")
    log = _apply_review(
        card=locked,
        user=user,
        rating=rating,
        at=at or timezone.now(),
        duration_ms=duration_ms,
        source=ReviewSource.QUEUE,
    )
    card.refresh_from_db()
    return log


@transaction.atomic
def card_create(*, user: User, question: Question, at: dt.datetime | None = None) -> Card:
    """A card for one question (the question must be practicable: see selectors)."""
    if Card.objects.owned_by(user).filter(question=question).exists():
        raise CardExists("You already have a card for this question.")
    try:
        with transaction.atomic():
            card = Card.objects.create(user=user, question=question, due=at or timezone.now())
    except IntegrityError:  # created concurrently by another request
        raise CardExists("You already have a card for this question.") from None
    progress_cache.cards_changed(user.pk)
    return card


def _create_cards(*, user: User, question_ids: Sequence[int], at: dt.datetime) -> int:
    existing = set(
        Card.objects.owned_by(user)
        .filter(question__in=question_ids)
        .values_list("question_id", flat=True)
    )
    new = [
        Card(user=user, question_id=question_id, due=at, created_at=at)
        for question_id in question_ids
        if question_id not in existing
    ]
    # ignore_conflicts: a concurrent enrolment may have created some of them already.
    Card.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    if new:
        progress_cache.cards_changed(user.pk)
    return len(new)


@dataclass(frozen=True)
class EnrolmentResult:
    enrolment: Enrolment
    created: bool
    cards_created: int


@transaction.atomic
def enrolment_create(*, user: User, topic: Topic, at: dt.datetime | None = None) -> EnrolmentResult:
    """Enrol in a topic: a card for each of its practicable questions that has none.

    Enrolling again is how a learner picks up questions published since: it adds
    the missing cards. Enrolling brings back every suspended card of the topic (an
    unenrolment suspends them).
    """
    at = at or timezone.now()
    enrolment, created = Enrolment.objects.get_or_create(
        user=user, topic=topic, defaults={"created_at": at}
    )
    question_ids = list(
        selectors.practicable_questions(user=user).filter(topic=topic).values_list("id", flat=True)
    )
    cards_created = _create_cards(user=user, question_ids=question_ids, at=at)
    Card.objects.owned_by(user).filter(question__topic=topic, is_suspended=True).update(
        is_suspended=False
    )
    return EnrolmentResult(enrolment=enrolment, created=created, cards_created=cards_created)


@transaction.atomic
def enrolment_delete(*, enrolment: Enrolment) -> None:
    """Stop studying a topic: its cards leave the queue (suspended), history is kept."""
    Card.objects.owned_by(enrolment.user).filter(question__topic=enrolment.topic_id).update(
        is_suspended=True
    )
    enrolment.delete()


@transaction.atomic
def card_suspend(*, card: Card) -> Card:
    [locked] = _lock_cards(ids=[card.pk])
    locked.is_suspended = True
    locked.save(update_fields=["is_suspended"])
    return locked


@transaction.atomic
def card_unsuspend(*, card: Card) -> Card:
    [locked] = _lock_cards(ids=[card.pk])
    locked.is_suspended = False
    locked.save(update_fields=["is_suspended"])
    return locked


@transaction.atomic
def card_bury(*, card: Card, user: User, at: dt.datetime | None = None) -> Card:
    """Hide the card until the learner's tomorrow begins (midnight in their zone)."""
    [locked] = _lock_cards(ids=[card.pk])
    if locked.is_suspended:
        raise CardSuspended("This card is suspended; there is nothing to bury.")
    locked.buried_until = scheduling.start_of_tomorrow(
        at or timezone.now(), selectors.user_zone(user)
    )
    locked.save(update_fields=["buried_until"])
    return locked


@transaction.atomic
def card_reset(*, card: Card, at: dt.datetime | None = None) -> Card:
    """Forget the card's schedule: new again, due now. Its review history is kept."""
    [locked] = _lock_cards(ids=[card.pk])
    memory = scheduling.new_memory(at=at or timezone.now())
    locked.state = CardState(memory.state)
    locked.step = memory.step
    locked.stability = memory.stability
    locked.difficulty = memory.difficulty
    locked.due = memory.due
    locked.last_review = memory.last_review
    locked.reps = 0
    locked.lapses = 0
    locked.buried_until = None
    locked.save()
    progress_cache.cards_changed(locked.user_id)
    return locked


# -- interviews ----------------------------------------------------------------------


@transaction.atomic
def interview_start(
    *,
    user: User,
    topics: Sequence[Topic],
    difficulties: Sequence[int],
    question_count: int,
    time_limit: dt.timedelta,
    at: dt.datetime | None = None,
) -> Interview:
    """Draw ``question_count`` questions and open a timed interview.

    Questions seen in the learner's last ``RECENT_INTERVIEWS`` interviews are drawn
    only when the pool has not enough others; then the ones seen longest ago first.
    """
    at = at or timezone.now()
    if Interview.objects.owned_by(user).filter(status=InterviewStatus.OPEN).exists():
        raise InterviewInProgress("Finish your open interview before starting another.")
    pool = selectors.practicable_questions(user=user).filter(
        topic__in=topics, difficulty__in=difficulties
    )
    seen = selectors.recently_seen_question_ids(user=user, interviews=RECENT_INTERVIEWS)
    drawn = list(
        pool.exclude(id__in=seen).order_by("?").values_list("id", flat=True)[:question_count]
    )
    if len(drawn) < question_count:
        repeats = (
            pool.filter(id__in=seen)
            .alias(last_seen=_last_seen(user))
            .order_by("last_seen", "?")
            .values_list("id", flat=True)[: question_count - len(drawn)]
        )
        drawn += list(repeats)
    if len(drawn) < question_count:
        raise NotEnoughQuestions(
            f"Only {len(drawn)} practicable questions match these topics and difficulties.",
            available=len(drawn),
        )
    try:
        with transaction.atomic():
            interview = Interview.objects.create(
                user=user,
                difficulties=sorted(set(difficulties)),
                started_at=at,
                deadline=at + time_limit,
            )
    except IntegrityError:  # another request opened one meanwhile
        raise InterviewInProgress("Finish your open interview before starting another.") from None
    interview.topics.set(topics)
    InterviewItem.objects.bulk_create(
        InterviewItem(interview=interview, position=position, question_id=question_id)
        for position, question_id in enumerate(drawn, start=1)
    )
    return interview


def _last_seen(user: User) -> Subquery:
    return Subquery(
        InterviewItem.objects.filter(interview__user=user, question=OuterRef("pk"))
        .order_by("-interview__started_at")
        .values("interview__started_at")[:1]
    )


def _lock_interview(interview: Interview) -> Interview:
    return Interview.objects.select_for_update().get(pk=interview.pk)


def interview_answer(
    *,
    interview: Interview,
    position: int,
    answer: str,
    self_grade: int,
    at: dt.datetime | None = None,
) -> InterviewItem:
    """Keep the learner's answer and self-grade for one question of an open interview.

    Past the deadline the interview is closed there and then (and that is committed)
    before the answer is refused: the refusal must not roll the closing back.
    """
    at = at or timezone.now()
    with transaction.atomic():
        locked = _lock_interview(interview)
        if locked.is_open and at <= locked.deadline:
            item = InterviewItem.objects.filter(interview=locked, position=position).first()
            if item is None:
                raise NoSuchItem(f"This interview has no question {position}.")
            item.answer = answer
            item.self_grade = self_grade
            item.answered_at = at
            item.save(update_fields=["answer", "self_grade", "answered_at"])
            return item
        if locked.is_open:
            _close(locked, status=InterviewStatus.EXPIRED, at=at)
    raise _closed(locked)


def _closed(interview: Interview) -> InterviewClosed:
    return InterviewClosed(
        f"This interview is closed ({interview.status}): it was finished or its time ran out.",
        interview_status=interview.status,
    )


def interview_finish(*, interview: Interview, at: dt.datetime | None = None) -> Interview:
    """Close the interview, score it and feed every graded answer into its card.

    All of it is one transaction: if anything fails midway, no card has moved and
    the interview is still open. Past the deadline it closes as expired (and the
    refusal comes after that is committed).
    """
    at = at or timezone.now()
    with transaction.atomic():
        locked = _lock_interview(interview)
        if locked.is_open and at <= locked.deadline:
            _close(locked, status=InterviewStatus.FINISHED, at=at)
            return locked
        if locked.is_open:
            _close(locked, status=InterviewStatus.EXPIRED, at=at)
    raise _closed(locked)


def interview_close_overdue(*, user: User, at: dt.datetime | None = None) -> int:
    """Close the learner's interviews that ran past their time limit; how many.

    Every interview request runs this first, so the common case (nothing overdue) is
    one indexed read and no transaction.
    """
    at = at or timezone.now()
    overdue = selectors.overdue_interview_ids(user=user, at=at)
    closed = 0
    for interview_id in overdue:
        with transaction.atomic():
            locked = Interview.objects.select_for_update().get(pk=interview_id)
            if locked.is_open and locked.deadline < at:
                _close(locked, status=InterviewStatus.EXPIRED, at=at)
                closed += 1
    return closed


def _close(interview: Interview, *, status: InterviewStatus, at: dt.datetime) -> None:
    """Score the interview and reschedule the cards of its graded questions.

    The score is the sum of self-grades over the best possible (3 per question);
    unanswered questions count 0 and do not touch their cards. A graded question
    without a card gets one (the learner has now practised it); suspended cards are
    left alone.
    """
    user = interview.user
    items = list(interview.items.all())
    graded = {item.question_id: item.self_grade for item in items if item.self_grade is not None}
    total = sum(graded.values())
    interview.score = round(100 * total / (3 * len(items)), 1) if items else 0.0
    interview.status = status
    interview.closed_at = min(at, interview.deadline) if status == InterviewStatus.EXPIRED else at
    interview.save(update_fields=["score", "status", "closed_at"])
    if not graded:
        return
    _create_cards(user=user, question_ids=list(graded), at=at)
    card_ids = list(
        Card.objects.owned_by(user).filter(question__in=graded).values_list("id", flat=True)
    )
    for card in _lock_cards(ids=card_ids):
        if card.is_suspended:
            continue
        _apply_review(
            card=card,
            user=user,
            rating=Rating(scheduling.rating_for_self_grade(graded[card.question_id])),
            at=at,
            duration_ms=None,
            source=ReviewSource.INTERVIEW,
        )


# -- the daily summary ---------------------------------------------------------------


@transaction.atomic
def review_days_rebuild(*, user: User) -> int:
    """Recompute the learner's daily summary from the review log; the number of days."""
    totals = selectors.review_day_totals(user=user)
    ReviewDay.objects.filter(user=user).delete()
    ReviewDay.objects.bulk_create(
        (ReviewDay(user=user, day=day, **counts) for day, counts in totals.items()),
        batch_size=1000,
    )
    return len(totals)
