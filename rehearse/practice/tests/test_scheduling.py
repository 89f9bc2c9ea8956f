"""The FSRS glue: ratings, the interview-date cap and the learner's days, without a database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from fsrs import Rating, State
from hypothesis import given
from hypothesis import strategies as st

from rehearse.practice import scheduling

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")
START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

ratings = st.sampled_from(list(Rating))
gaps = st.timedeltas(min_value=dt.timedelta(seconds=1), max_value=dt.timedelta(days=400))


def test_a_new_card_rated_good_moves_to_the_next_learning_step() -> None:
    memory = scheduling.review(scheduling.new_memory(at=START), rating=Rating.Good, at=START)
    assert memory.state == State.Learning
    assert memory.step == 1
    assert memory.due == START + dt.timedelta(minutes=10)
    assert memory.last_review == START
    assert memory.stability is not None
    assert memory.difficulty is not None


def test_easy_graduates_a_new_card_to_review_days_later() -> None:
    memory = scheduling.review(scheduling.new_memory(at=START), rating=Rating.Easy, at=START)
    assert memory.state == State.Review
    assert memory.due - START >= dt.timedelta(days=1)


def test_again_on_a_review_card_sends_it_to_relearning() -> None:
    learnt = scheduling.review(scheduling.new_memory(at=START), rating=Rating.Easy, at=START)
    later = learnt.due
    lapsed = scheduling.review(learnt, rating=Rating.Again, at=later)
    assert lapsed.state == State.Relearning
    assert lapsed.due == later + dt.timedelta(minutes=10)
    assert lapsed.stability is not None
    assert learnt.stability is not None
    assert lapsed.stability < learnt.stability


def test_scheduling_is_deterministic() -> None:
    def run() -> scheduling.Memory:
        memory = scheduling.new_memory(at=START)
        at = START
        for rating in [Rating.Good, Rating.Good, Rating.Hard, Rating.Easy, Rating.Again]:
            memory = scheduling.review(memory, rating=rating, at=at)
            at = memory.due
        return memory

    assert run() == run()


@pytest.mark.parametrize(("grade", "rating"), list(zip(range(4), Rating, strict=True)))
def test_self_grades_map_to_ratings(grade: int, rating: Rating) -> None:
    assert scheduling.rating_for_self_grade(grade) == rating


@pytest.mark.parametrize("grade", [-1, 4])
def test_a_self_grade_outside_0_to_3_is_refused(grade: int) -> None:
    with pytest.raises(ValueError, match="0 to 3"):
        scheduling.rating_for_self_grade(grade)


def test_the_cap_is_the_start_of_the_interview_day_in_the_learners_zone() -> None:
    cap = scheduling.interview_cap(dt.date(2025, 3, 20), PARIS)
    assert cap == dt.datetime(2025, 3, 19, 23, 0, tzinfo=UTC)  # midnight in Paris (UTC+1)
    assert scheduling.interview_cap(None, PARIS) is None


def test_a_review_scheduled_past_the_interview_is_due_at_the_cap_instead() -> None:
    learnt = scheduling.review(scheduling.new_memory(at=START), rating=Rating.Easy, at=START)
    at = learnt.due
    cap = at + dt.timedelta(days=2)
    uncapped = scheduling.review(learnt, rating=Rating.Easy, at=at)
    assert uncapped.due > cap
    capped = scheduling.review(learnt, rating=Rating.Easy, at=at, cap=cap)
    assert capped.due == cap
    assert capped.stability == uncapped.stability


def test_a_cap_in_the_past_no_longer_applies() -> None:
    memory = scheduling.review(
        scheduling.new_memory(at=START), rating=Rating.Easy, at=START, cap=START
    )
    assert memory.due > START


@given(
    steps=st.lists(st.tuples(ratings, gaps), min_size=1, max_size=25),
    cap_after=st.one_of(st.none(), gaps),
)
def test_any_reviews_keep_due_after_the_review_and_before_the_cap(
    steps: list[tuple[Rating, dt.timedelta]], cap_after: dt.timedelta | None
) -> None:
    cap = START + cap_after if cap_after is not None else None
    memory = scheduling.new_memory(at=START)
    at = START
    for rating, gap in steps:
        memory = scheduling.review(memory, rating=rating, at=at, cap=cap)
        assert memory.due > at
        if cap is not None and cap > at:
            assert memory.due <= cap
        assert memory.last_review == at
        assert memory.stability is not None
        assert memory.stability > 0
        assert memory.difficulty is not None
        assert 1 <= memory.difficulty <= 10
        at = min(memory.due, at + gap) if gap.days % 2 else memory.due + gap


@given(
    stability=st.floats(min_value=0.01, max_value=36500),
    elapsed=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3650)),
)
def test_retrievability_falls_from_one_with_time(stability: float, elapsed: dt.timedelta) -> None:
    memory = scheduling.Memory(State.Review, None, stability, 5.0, START, START)
    now = scheduling.retrievability(memory, at=START)
    later = scheduling.retrievability(memory, at=START + elapsed)
    assert now == 1.0
    assert 0 < later <= now


def test_a_card_never_reviewed_has_retrievability_zero() -> None:
    assert scheduling.retrievability(scheduling.new_memory(at=START), at=START) == 0.0


def test_retrievability_is_ninety_percent_after_stability_days() -> None:
    memory = scheduling.Memory(State.Review, None, 10.0, 5.0, START, START)
    at = START + dt.timedelta(days=10)
    assert scheduling.retrievability(memory, at=at) == pytest.approx(0.9)


@given(
    at=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.just(UTC),
    ),
    zone=st.sampled_from(
        [
            "UTC",
            "Europe/Paris",
            "America/New_York",
            "Asia/Kolkata",
            "Pacific/Apia",
            "America/Santiago",
        ]
    ),
)
def test_tomorrow_begins_at_the_learners_next_midnight(at: dt.datetime, zone: str) -> None:
    tz = ZoneInfo(zone)
    tomorrow = scheduling.start_of_tomorrow(at, tz)
    assert tomorrow > at
    assert tomorrow - at <= dt.timedelta(hours=26)
    assert scheduling.local_day(tomorrow, tz) == scheduling.local_day(at, tz) + dt.timedelta(days=1)
    assert scheduling.local_day(
        tomorrow - dt.timedelta(microseconds=1), tz
    ) == scheduling.local_day(at, tz)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        scheduling.new_memory(at=dt.datetime(2025, 1, 1))
