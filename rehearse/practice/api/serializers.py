"""How practice data looks in the API, and what a request body may contain.

Request serializers reject fields they do not know (core's ``StrictFieldsMixin``): a
typo such as ``"ratng"`` is a 400 naming the field, not a silently ignored value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rehearse.core.serializers import (
    FastRepresentationMixin,
    RehearseModelSerializer,
    StrictFieldsMixin,
    UTCDateTimeField,
)
from rehearse.practice import scheduling, selectors
from rehearse.practice.models import (
    MAX_REVIEW_MS,
    Card,
    CardState,
    Enrolment,
    Interview,
    InterviewItem,
    InterviewStatus,
    Rating,
    ReviewLog,
)
from rehearse.questions.api.serializers import DifficultyField, TopicSummarySerializer
from rehearse.questions.models import Difficulty, Question, Topic

MAX_INTERVIEW_QUESTIONS = 50
MAX_INTERVIEW_MINUTES = 240
MINUTES_PER_QUESTION = 3


class LabelChoiceField(serializers.ChoiceField):
    """An IntegerChoices value as its label in JSON: ``"good"`` for Rating.GOOD."""

    def __init__(self, choices_enum: type[Rating] | type[CardState], **kwargs: Any) -> None:
        self.enum = choices_enum
        super().__init__(choices=[choice.label for choice in choices_enum], **kwargs)

    def to_representation(self, value: int) -> str:  # type: ignore[override]
        return str(self.enum(value).label)

    def to_internal_value(self, data: Any) -> int:  # type: ignore[override]
        label = super().to_internal_value(data)
        return next(int(choice.value) for choice in self.enum if choice.label == label)


# -- cards ---------------------------------------------------------------------------


class CardQuestionSerializer(FastRepresentationMixin, RehearseModelSerializer):
    topic = TopicSummarySerializer(read_only=True)
    difficulty = DifficultyField(read_only=True)

    class Meta:
        model = Question
        fields = ("id", "topic", "slug", "title", "prompt", "answer", "difficulty")
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.DOUBLE)
class RetrievabilityField(serializers.ReadOnlyField):
    """A card's FSRS retrievability now, from its ``memory``."""

    def to_representation(self, value: scheduling.Memory) -> float:
        return round(scheduling.retrievability(value, at=dt.datetime.now(dt.UTC)), 4)


class CardSerializer(FastRepresentationMixin, RehearseModelSerializer):
    question = CardQuestionSerializer(read_only=True)
    state = LabelChoiceField(CardState, read_only=True)
    retrievability = RetrievabilityField(
        source="memory",
        help_text="Predicted probability of recalling the answer now (FSRS), 0 to 1.",
    )

    class Meta:
        model = Card
        fields = (
            "id",
            "question",
            "state",
            "step",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "reps",
            "lapses",
            "retrievability",
            "is_suspended",
            "buried_until",
            "created_at",
        )
        read_only_fields = fields


class CardCreateSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    question = serializers.PrimaryKeyRelatedField(
        queryset=Question.objects.none(),
        help_text="A published, answered question you may see.",
    )

    def __init__(self, *args: Any, questions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if questions is not None:
            self.fields["question"].queryset = questions  # type: ignore[attr-defined]


class EnrolmentSerializer(StrictFieldsMixin, RehearseModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", queryset=Topic.objects.all())
    topic_title = serializers.CharField(source="topic.title", read_only=True)
    cards_created = serializers.IntegerField(
        read_only=True, help_text="Cards this request created (on enrolment or re-enrolment)."
    )

    class Meta:
        model = Enrolment
        fields = ("id", "topic", "topic_title", "created_at", "cards_created")
        read_only_fields = ("id", "created_at")


# -- reviews -------------------------------------------------------------------------


class ReviewCreateSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    card = serializers.IntegerField(min_value=1, help_text="The id of one of your cards.")
    rating = LabelChoiceField(Rating, help_text="again, hard, good or easy.")
    duration_ms = serializers.IntegerField(
        min_value=1,
        max_value=MAX_REVIEW_MS,
        help_text="Time taken to answer, in milliseconds (at most one hour).",
    )


class ReviewSerializer(FastRepresentationMixin, RehearseModelSerializer):
    # The id straight from the row: the fast plan would load each card to read its pk.
    card = serializers.IntegerField(source="card_id", read_only=True)
    rating = LabelChoiceField(Rating, read_only=True)
    state = LabelChoiceField(CardState, read_only=True)
    next_due = UTCDateTimeField(
        source="due", read_only=True, help_text="When the card is due next."
    )

    class Meta:
        model = ReviewLog
        fields = (
            "id",
            "card",
            "rating",
            "duration_ms",
            "reviewed_at",
            "source",
            "state",
            "stability",
            "difficulty",
            "next_due",
        )
        read_only_fields = fields


# -- interviews ----------------------------------------------------------------------


class InterviewCreateSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    topics = serializers.ListField(
        child=serializers.SlugField(max_length=80),
        allow_empty=False,
        max_length=20,
        help_text="Topic slugs to draw questions from.",
    )
    difficulties = serializers.ListField(
        child=DifficultyField(),
        allow_empty=False,
        max_length=3,
        required=False,
        help_text="easy, medium and/or hard; all three if left out.",
    )
    question_count = serializers.IntegerField(
        min_value=1, max_value=MAX_INTERVIEW_QUESTIONS, default=5
    )
    time_limit_minutes = serializers.IntegerField(
        min_value=1,
        max_value=MAX_INTERVIEW_MINUTES,
        required=False,
        help_text=f"{MINUTES_PER_QUESTION} minutes per question if left out.",
    )

    def validate_topics(self, slugs: list[str]) -> list[Topic]:
        topics = list(Topic.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {topic.slug for topic in topics})
        if unknown:
            raise serializers.ValidationError(f"No such topic: {', '.join(unknown)}.")
        return topics

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("difficulties", [choice.value for choice in Difficulty])
        minutes = attrs.pop("time_limit_minutes", None)
        attrs["time_limit"] = dt.timedelta(
            minutes=minutes or MINUTES_PER_QUESTION * attrs["question_count"]
        )
        return attrs


class InterviewQuestionSerializer(FastRepresentationMixin, RehearseModelSerializer):
    topic = TopicSummarySerializer(read_only=True)
    difficulty = DifficultyField(read_only=True)

    class Meta:
        model = Question
        fields = ("id", "topic", "title", "prompt", "difficulty")
        read_only_fields = fields


class InterviewItemSerializer(RehearseModelSerializer):
    question = InterviewQuestionSerializer(read_only=True)
    model_answer = serializers.SerializerMethodField(
        help_text="The bank's answer; shown once the interview is closed."
    )

    class Meta:
        model = InterviewItem
        fields = ("position", "question", "answer", "self_grade", "answered_at", "model_answer")
        read_only_fields = fields

    def get_model_answer(self, item: InterviewItem) -> str | None:
        closed = self.context.get("interview_status", InterviewStatus.OPEN) != InterviewStatus.OPEN
        return item.question.answer if closed else None


class InterviewSerializer(RehearseModelSerializer):
    topics: serializers.SlugRelatedField[Topic] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    difficulties = serializers.SerializerMethodField()
    question_count = serializers.IntegerField(read_only=True)
    answered_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Interview
        fields: tuple[str, ...] = (
            "id",
            "status",
            "topics",
            "difficulties",
            "question_count",
            "answered_count",
            "started_at",
            "deadline",
            "closed_at",
            "score",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_difficulties(self, interview: Interview) -> list[str]:
        return [Difficulty(value).label for value in interview.difficulties]


class InterviewDetailSerializer(InterviewSerializer):
    items = serializers.SerializerMethodField()

    class Meta(InterviewSerializer.Meta):
        fields = (*InterviewSerializer.Meta.fields, "items")
        read_only_fields = fields

    def get_items(self, interview: Interview) -> list[dict[str, Any]]:
        context = {**self.context, "interview_status": interview.status}
        return InterviewItemSerializer(interview.items.all(), many=True, context=context).data  # type: ignore[return-value]


class InterviewAnswerSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    answer = serializers.CharField(
        allow_blank=True, max_length=20_000, trim_whitespace=False, help_text="Your answer."
    )
    self_grade = serializers.IntegerField(
        min_value=0, max_value=3, help_text="0 blank, 1 partial, 2 good, 3 complete."
    )


# -- progress ------------------------------------------------------------------------


class TopicMasterySerializer(serializers.Serializer[Any]):
    topic_slug = serializers.CharField()
    topic_title = serializers.CharField()
    cards = serializers.IntegerField()
    reviewed = serializers.IntegerField(help_text="Cards reviewed at least once.")
    mastery = serializers.FloatField(
        help_text="Mean FSRS retrievability of the topic's cards now (new cards count 0)."
    )


class ActivityQuerySerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    days = serializers.IntegerField(min_value=1, max_value=366, default=selectors.ACTIVITY_DAYS)


class ActivityDaySerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    reviews = serializers.IntegerField()
    again = serializers.IntegerField()
    hard = serializers.IntegerField()
    good = serializers.IntegerField()
    easy = serializers.IntegerField()
    duration_ms = serializers.IntegerField()


class ActivitySerializer(serializers.Serializer[Any]):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    days = ActivityDaySerializer(many=True, help_text="Only the days with reviews.")


class StreakSerializer(serializers.Serializer[Any]):
    today = serializers.DateField(help_text="Today in your time zone.")
    current = serializers.IntegerField(help_text="Days in a row with reviews, up to today.")
    longest = serializers.IntegerField()
    last_day = serializers.DateField(allow_null=True, help_text="The last day with reviews.")


class ForecastDaySerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    cards = serializers.IntegerField()


class ForecastSerializer(serializers.Serializer[Any]):
    days = ForecastDaySerializer(many=True, help_text="Today (with overdue cards) and 6 more.")


class DeckQuerySerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    topic = serializers.ListField(
        child=serializers.SlugField(max_length=80), required=False, max_length=50
    )
