"""How questions and topics look in the API, and what authors send to write them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from rehearse.accounts.models import User
from rehearse.core.serializers import (
    FastRepresentationMixin,
    RehearseModelSerializer,
    StrictFieldsMixin,
)
from rehearse.questions.models import Difficulty, Question, QuestionTransition, Tag, Topic
from rehearse.questions.services import REASON_MAX_LENGTH


class DifficultyField(serializers.ChoiceField):
    """``"easy"``/``"medium"``/``"hard"`` in JSON, an ordered number in the database."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[choice.label for choice in Difficulty], **kwargs)

    def to_representation(self, value: int) -> str:  # type: ignore[override]
        return Difficulty(value).label

    def to_internal_value(self, data: Any) -> int:  # type: ignore[override]
        label = super().to_internal_value(data)
        return next(choice.value for choice in Difficulty if choice.label == label)


class TopicSummarySerializer(FastRepresentationMixin, RehearseModelSerializer):
    class Meta:
        model = Topic
        fields = ("slug", "title")


class TopicSerializer(FastRepresentationMixin, RehearseModelSerializer):
    question_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Topic
        fields = ("slug", "title", "description", "question_count")


class QuestionSerializer(FastRepresentationMixin, RehearseModelSerializer):
    topic = TopicSummarySerializer(read_only=True)
    difficulty = DifficultyField()
    tags = serializers.SlugRelatedField[Tag](many=True, read_only=True, slug_field="slug")

    class Meta:
        model = Question
        fields = (
            "id",
            "topic",
            "slug",
            "title",
            "prompt",
            "answer",
            "difficulty",
            "status",
            "tags",
            "created_at",
            "updated_at",
            "published_at",
        )
        read_only_fields = fields


# -- Writes -------------------------------------------------------------------------
# Request bodies only: each write answers with the question as QuestionSerializer
# shows it. StrictFieldsMixin makes an unknown or read-only field a 400.

TAGS_MAX = 20


class QuestionWriteSerializer(StrictFieldsMixin, RehearseModelSerializer):
    """What an author sends to create or change a question.

    POST and PUT take a whole question: a field left out gets its default (no answer,
    medium, no tags). PATCH changes only the fields it names.
    """

    topic = serializers.SlugRelatedField[Topic](
        queryset=Topic.objects.all(), slug_field="slug", help_text="Topic slug, e.g. recursion."
    )
    difficulty = DifficultyField(
        default=Difficulty.MEDIUM, help_text="easy, medium (the default) or hard."
    )
    tags = serializers.ListField(
        child=serializers.SlugField(max_length=50),
        max_length=TAGS_MAX,
        default=list,
        help_text="Tag slugs; tags that do not exist yet are created.",
    )

    class Meta:
        model = Question
        fields = QuestionSerializer.Meta.fields
        read_only_fields = ("id", "slug", "status", "created_at", "updated_at", "published_at")
        extra_kwargs = {"answer": {"default": ""}}


class EmptyBodySerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    """No body, or ``{}``: anything else is a 400 naming the fields."""


class RejectSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, help_text="Why: the author reads it in the history."
    )


class UnpublishSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


# -- Audit trail --------------------------------------------------------------------


class ActorSerializer(FastRepresentationMixin, RehearseModelSerializer):
    class Meta:
        model = User
        fields = ("id", "email", "display_name")
        read_only_fields = fields


class QuestionTransitionSerializer(FastRepresentationMixin, RehearseModelSerializer):
    actor = ActorSerializer(read_only=True, allow_null=True, help_text="null: account deleted.")

    class Meta:
        model = QuestionTransition
        fields = ("id", "action", "from_status", "to_status", "reason", "actor", "at")
        read_only_fields = fields
