"""How questions and topics look in the API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from rehearse.core.serializers import FastRepresentationMixin, RehearseModelSerializer
from rehearse.questions.models import Difficulty, Question, Tag, Topic


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
