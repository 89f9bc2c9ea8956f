"""Services: reviews, card actions, enrolments, interviews and the daily summary."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rehearse.accounts.models import User
from rehearse.practice import scheduling, selectors, services
from rehearse.practice.models import (
    Card,
    CardState,
    Enrolment,
    Interview,
    InterviewStatus,
    Rating,
    ReviewDay,
    ReviewLog,
    ReviewSource,
)
from rehearse.practice.tests.factories import (
    CardFactory,
    InterviewFactory,
    LearnerFactory,
    ReviewedCardFactory,
)
from rehearse.questions.models import Difficulty, QuestionStatus
from rehearse.questions.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def snapshot(card: Card) -> tuple[object, ...]:
    card.refresh_from_db()
    return (
        card.state,
        card.step,
        card.stability,
        card.difficulty,
        card.due,
        card.last_review,
        card.reps,
    )


# -- reviews -------------------------------------------------------------------------


def test_a_review_reschedules_the_card_and_logs_it(learner: User) -> None:
    card = CardFactory.create(user=learner)
    at = timezone.now()
    log = services.review_record(
        card=card, user=learner, rating=Rating.EASY, duration_ms=4200, at=at
    )
    card.refresh_from_db()
    assert card.state == CardState.REVIEW
    assert card.reps == 1
    assert card.last_review == at
    assert card.due == log.due > at
    assert (log.rating, log.duration_ms, log.source, log.reviewed_at) == (
        Rating.EASY,
        4200,
        ReviewSource.QUEUE,
        at,
    )
    assert log.stability == card.stability


def test_reviewing_a_suspended_card_is_refused_and_writes_nothing(learner: User) -> None:
    card = CardFactory.create(user=learner, is_suspended=True)
    before = snapshot(card)
    with pytest.raises(services.CardSuspended):
        services.review_record(card=card, user=learner, rating=Rating.GOOD, duration_ms=1000)
    assert snapshot(card) == before
    assert not ReviewLog.objects.exists()
    assert not ReviewDay.objects.exists()


def test_again_on_a_review_card_counts_a_lapse(learner: User) -> None:
    card = ReviewedCardFactory.create(user=learner)
    services.review_record(card=card, user=learner, rating=Rating.AGAIN, duration_ms=1000)
    card.refresh_from_db()
    assert card.lapses == 1
    assert card.state == CardState.RELEARNING


def test_the_interview_date_caps_the_next_due_time(learner: User) -> None:
    learner.time_zone = "America/New_York"
    learner.interview_date = timezone.now().date() + dt.timedelta(days=3)
    learner.save()
    card = ReviewedCardFactory.create(user=learner, stability=200.0, days_ago=100)
    log = services.review_record(card=card, user=learner, rating=Rating.EASY, duration_ms=1000)
    cap = scheduling.interview_cap(learner.interview_date, ZoneInfo("America/New_York"))
    assert log.due == cap
    assert log.due.astimezone(ZoneInfo("America/New_York")).time() == dt.time(0, 0)


def test_a_review_clears_a_bury(learner: User) -> None:
    card = CardFactory.create(user=learner, buried_until=timezone.now() + dt.timedelta(hours=5))
    services.review_record(card=card, user=learner, rating=Rating.GOOD, duration_ms=1000)
    card.refresh_from_db()
    assert card.buried_until is None


# -- card actions --------------------------------------------------------------------


def test_bury_hides_the_card_until_midnight_in_the_learners_zone(learner: User) -> None:
    learner.time_zone = "Asia/Tokyo"
    learner.save()
    card = CardFactory.create(user=learner)
    at = dt.datetime(2025, 6, 1, 20, 30, tzinfo=dt.UTC)  # 05:30 on June 2 in Tokyo
    services.card_bury(card=card, user=learner, at=at)
    card.refresh_from_db()
    assert card.buried_until == dt.datetime(2025, 6, 2, 15, 0, tzinfo=dt.UTC)  # June 3, 00:00 JST


def test_reset_makes_the_card_new_and_keeps_its_history(learner: User) -> None:
    card = ReviewedCardFactory.create(user=learner)
    services.review_record(card=card, user=learner, rating=Rating.GOOD, duration_ms=1000)
    at = timezone.now()
    services.card_reset(card=card, at=at)
    card.refresh_from_db()
    assert (card.state, card.step, card.stability, card.difficulty, card.reps) == (
        CardState.LEARNING,
        0,
        None,
        None,
        0,
    )
    assert card.due == at
    assert card.last_review is None
    assert ReviewLog.objects.filter(card=card).count() == 1


def test_suspend_and_unsuspend(learner: User) -> None:
    card = CardFactory.create(user=learner)
    assert services.card_suspend(card=card).is_suspended
    assert not services.card_unsuspend(card=card).is_suspended


def test_a_second_card_for_the_same_question_is_refused(learner: User) -> None:
    card = CardFactory.create(user=learner)
    with pytest.raises(services.CardExists):
        services.card_create(user=learner, question=card.question)


# -- enrolments ----------------------------------------------------------------------


def test_enrolling_creates_cards_for_practicable_questions_only(learner: User) -> None:
    topic = TopicFactory.create(slug="sql")
    good = QuestionFactory.create(topic=topic)
    QuestionFactory.create(topic=topic, answer="   ")  # unanswered
    QuestionFactory.create(topic=topic, status=QuestionStatus.DRAFT)
    QuestionFactory.create(topic=topic, status=QuestionStatus.DRAFT, author=LearnerFactory.create())
    QuestionFactory.create()  # another topic
    result = services.enrolment_create(user=learner, topic=topic)
    assert result.created
    assert result.cards_created == 1
    assert list(Card.objects.owned_by(learner).values_list("question", flat=True)) == [good.pk]


def test_enrolling_again_adds_new_questions_and_brings_back_suspended_cards(learner: User) -> None:
    topic = TopicFactory.create()
    QuestionFactory.create(topic=topic)
    first = services.enrolment_create(user=learner, topic=topic)
    services.enrolment_delete(enrolment=first.enrolment)
    assert Card.objects.owned_by(learner).get().is_suspended
    assert not Enrolment.objects.exists()
    QuestionFactory.create(topic=topic)
    again = services.enrolment_create(user=learner, topic=topic)
    assert again.cards_created == 1
    assert Card.objects.owned_by(learner).filter(is_suspended=False).count() == 2


# -- the daily summary ---------------------------------------------------------------


def test_the_daily_summary_matches_the_log_in_the_learners_days(learner: User) -> None:
    learner.time_zone = "Pacific/Auckland"
    learner.save()
    cards = CardFactory.create_batch(3, user=learner)
    start = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)  # 22:00 in Auckland
    for hour in range(6):  # crosses Auckland's midnight
        for card, rating in zip(cards, [Rating.AGAIN, Rating.GOOD, Rating.EASY], strict=True):
            services.review_record(
                card=card,
                user=learner,
                rating=rating,
                duration_ms=1000 + hour,
                at=start + dt.timedelta(hours=hour),
            )
    summary = {
        row.day: {
            "again": row.again,
            "hard": row.hard,
            "good": row.good,
            "easy": row.easy,
            "duration_ms": row.duration_ms,
        }
        for row in ReviewDay.objects.filter(user=learner)
    }
    assert summary == selectors.review_day_totals(user=learner)
    assert sorted(summary) == [dt.date(2025, 1, 10), dt.date(2025, 1, 11)]
    assert summary[dt.date(2025, 1, 10)]["again"] == 2
    services.review_days_rebuild(user=learner)
    assert {row.day for row in ReviewDay.objects.filter(user=learner)} == set(summary)


# -- interviews ----------------------------------------------------------------------


def start(user: User, topics: list, count: int = 3, **kwargs: object) -> Interview:
    return services.interview_start(
        user=user,
        topics=topics,
        difficulties=kwargs.pop("difficulties", [1, 2, 3]),  # type: ignore[arg-type]
        question_count=count,
        time_limit=dt.timedelta(minutes=10),
        **kwargs,  # type: ignore[arg-type]
    )


def test_an_interview_draws_from_the_chosen_topics_and_difficulties(learner: User) -> None:
    sql = TopicFactory.create(slug="sql")
    wanted = {QuestionFactory.create(topic=sql, difficulty=Difficulty.HARD).pk for _ in range(3)}
    QuestionFactory.create(topic=sql, difficulty=Difficulty.EASY)
    QuestionFactory.create(difficulty=Difficulty.HARD)
    interview = start(learner, [sql], difficulties=[Difficulty.HARD])
    assert {item.question_id for item in interview.items.all()} == wanted
    assert [item.position for item in interview.items.all()] == [1, 2, 3]
    assert interview.deadline - interview.started_at == dt.timedelta(minutes=10)


def test_an_interview_avoids_questions_of_recent_interviews_until_the_pool_runs_out(
    learner: User,
) -> None:
    topic = TopicFactory.create()
    questions = [QuestionFactory.create(topic=topic) for _ in range(5)]
    old = questions[:2]
    recent = questions[2:4]
    InterviewFactory.create(
        user=learner, questions=old, started_at=timezone.now() - dt.timedelta(days=3)
    )
    InterviewFactory.create(
        user=learner, questions=recent, started_at=timezone.now() - dt.timedelta(days=1)
    )
    interview = start(learner, [topic], count=1)
    assert [item.question for item in interview.items.all()] == [questions[4]]
    services.interview_finish(interview=interview)

    # Only seen questions remain: the ones seen longest ago come first.
    interview = start(learner, [topic], count=2)
    assert {item.question for item in interview.items.all()} == set(old)


def test_an_interview_larger_than_the_pool_is_refused(learner: User) -> None:
    topic = TopicFactory.create()
    QuestionFactory.create(topic=topic)
    with pytest.raises(services.NotEnoughQuestions) as raised:
        start(learner, [topic], count=2)
    assert raised.value.extensions == {"available": 1}
    assert not Interview.objects.exists()


def test_only_one_interview_may_be_open(learner: User) -> None:
    topic = TopicFactory.create()
    QuestionFactory.create_batch(4, topic=topic)
    start(learner, [topic], count=2)
    with pytest.raises(services.InterviewInProgress):
        start(learner, [topic], count=2)


def test_finishing_scores_the_interview_and_feeds_graded_answers_to_cards(learner: User) -> None:
    topic = TopicFactory.create()
    questions = QuestionFactory.create_batch(4, topic=topic)
    suspended = CardFactory.create(user=learner, question=questions[2], is_suspended=True)
    interview = start(learner, [topic], count=4)
    items = {item.question_id: item for item in interview.items.all()}
    grades = {questions[0].pk: 3, questions[1].pk: 0, questions[2].pk: 2}  # questions[3]: none
    for question_id, grade in grades.items():
        services.interview_answer(
            interview=interview,
            position=items[question_id].position,
            answer=f"answer {grade}",
            self_grade=grade,
        )
    finished = services.interview_finish(interview=interview)
    assert finished.status == InterviewStatus.FINISHED
    assert finished.score == round(100 * 5 / 12, 1)
    logs = ReviewLog.objects.filter(user=learner, source=ReviewSource.INTERVIEW)
    assert {(log.card.question_id, log.rating) for log in logs} == {
        (questions[0].pk, Rating.EASY),
        (questions[1].pk, Rating.AGAIN),
    }
    assert not Card.objects.filter(user=learner, question=questions[3]).exists()
    assert snapshot(suspended)[-1] == 0


def test_answering_after_the_deadline_closes_the_interview_and_is_refused(learner: User) -> None:
    topic = TopicFactory.create()
    QuestionFactory.create_batch(2, topic=topic)
    interview = start(learner, [topic], count=2)
    services.interview_answer(interview=interview, position=1, answer="in time", self_grade=3)
    late = interview.deadline + dt.timedelta(seconds=1)
    with pytest.raises(services.InterviewClosed):
        services.interview_answer(
            interview=interview, position=2, answer="late", self_grade=3, at=late
        )
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.EXPIRED
    assert interview.closed_at == interview.deadline
    assert interview.score == 50.0
    assert interview.items.get(position=2).answer == ""
    # The answer given in time still fed its card.
    assert ReviewLog.objects.filter(user=learner, source=ReviewSource.INTERVIEW).count() == 1


def test_overdue_interviews_are_closed_on_the_next_request(learner: User) -> None:
    topic = TopicFactory.create()
    QuestionFactory.create_batch(2, topic=topic)
    interview = start(learner, [topic], count=2)
    assert services.interview_close_overdue(user=learner) == 0
    assert (
        services.interview_close_overdue(
            user=learner, at=interview.deadline + dt.timedelta(minutes=1)
        )
        == 1
    )
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.EXPIRED
    assert interview.score == 0.0


def test_a_finished_interview_cannot_be_answered_or_finished_again(learner: User) -> None:
    topic = TopicFactory.create()
    QuestionFactory.create_batch(1, topic=topic)
    interview = start(learner, [topic], count=1)
    services.interview_finish(interview=interview)
    with pytest.raises(services.InterviewClosed):
        services.interview_finish(interview=interview)
    with pytest.raises(services.InterviewClosed):
        services.interview_answer(interview=interview, position=1, answer="x", self_grade=1)
