"""The fast rendering plan gives exactly what DRF's own machinery gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework import serializers

from rehearse.core.serializers import (
    FastRepresentationMixin,
    RehearseModelSerializer,
    StrictFieldsMixin,
)
from rehearse.questions.api.serializers import QuestionSerializer, TopicSerializer
from rehearse.questions.models import Difficulty, Question, QuestionStatus
from rehearse.questions.selectors import topic_list
from rehearse.questions.tests.factories import QuestionFactory, TagFactory, TopicFactory

pytestmark = pytest.mark.django_db


def drf_rendering(serializer: serializers.Serializer[Any], instance: Any) -> dict[str, Any]:
    """What DRF's Serializer.to_representation returns, bypassing the mixin."""
    rendered: dict[str, Any] = serializers.Serializer.to_representation(serializer, instance)
    return rendered


def test_question_rendering_matches_drf() -> None:
    topic = TopicFactory(slug="sql", title="SQL & ACID")
    QuestionFactory(
        topic=topic,
        title="Ünïcode «title»",
        difficulty=Difficulty.HARD,
        tags=[TagFactory(slug="joins"), TagFactory(slug="indexes")],
        created_at=timezone.now() - dt.timedelta(days=3, microseconds=17),
    )
    QuestionFactory(status=QuestionStatus.DRAFT, published_at=None, answer="", tags=[])
    everyone = Question.objects.select_related("topic").prefetch_related("tags")
    for question in everyone:
        serializer = QuestionSerializer()
        fast = serializer.to_representation(question)
        assert fast == drf_rendering(QuestionSerializer(), question)
        assert fast["created_at"].endswith("Z")
        assert fast["difficulty"] in {"easy", "medium", "hard"}


def test_topic_rendering_matches_drf() -> None:
    QuestionFactory(topic=TopicFactory(slug="recursion"))
    for topic in topic_list(user=None):
        assert TopicSerializer().to_representation(topic) == drf_rendering(TopicSerializer(), topic)


def test_timestamps_are_utc_even_when_another_zone_is_active() -> None:
    question = QuestionFactory()
    with timezone.override("Asia/Tokyo"):
        rendered = QuestionSerializer().to_representation(question)
    assert rendered["created_at"].endswith("Z")


class Strict(StrictFieldsMixin, serializers.Serializer[Any]):
    name = serializers.CharField()
    created = serializers.DateTimeField(read_only=True)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"name": "x", "nme": "typo"}, {"nme": ["Unknown field."]}),
        ({"name": "x", "created": "2020-01-01"}, {"created": ["This field is read-only."]}),
    ],
)
def test_strict_fields_refuse_unknown_and_read_only_input(
    data: dict[str, str], errors: dict[str, list[str]]
) -> None:
    serializer = Strict(data=data)
    assert not serializer.is_valid()
    assert serializer.errors == errors


def test_strict_fields_accept_known_fields() -> None:
    serializer = Strict(data={"name": "x"})
    assert serializer.is_valid()
    assert serializer.validated_data == {"name": "x"}


class QuestionRef(FastRepresentationMixin, RehearseModelSerializer):
    class Meta:
        model = Question
        fields = ("id", "topic", "author")


def test_primary_key_relations_render_without_loading_the_related_rows(
    django_assert_num_queries: Any,
) -> None:
    for _ in range(5):
        QuestionFactory()
    questions = list(Question.objects.all())
    with django_assert_num_queries(0):
        rendered = [QuestionRef().to_representation(question) for question in questions]
    assert [row["topic"] for row in rendered] == [q.topic_id for q in questions]
    assert all(row["author"] is None for row in rendered)
    assert rendered == [drf_rendering(QuestionRef(), question) for question in questions]
