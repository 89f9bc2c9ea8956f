"""The two baselines rehearse's question list is measured against (bench only).

(b) ``plain_question_list``: a hand-written Django view that returns the same page
    of the same rows with the same fields, as a JsonResponse: the floor.
(c) ``TextbookQuestionList``: the DRF tutorial's way: a ModelSerializer with a nested
    topic serializer, PageNumberPagination (COUNT(*) on every page) and the
    default renderer.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework import generics, pagination, serializers
from rest_framework.permissions import AllowAny

from rehearse.questions.models import Difficulty, Question, QuestionStatus, Tag, Topic

PAGE_SIZE = 20


def plain_question_list(request: HttpRequest) -> JsonResponse:
    questions = (
        Question.objects.filter(status=QuestionStatus.PUBLISHED)
        .select_related("topic")
        .prefetch_related("tags")
        .defer("topic__description")
        .order_by("-created_at", "-id")[:PAGE_SIZE]
    )
    results = [
        {
            "id": q.pk,
            "topic": {"slug": q.topic.slug, "title": q.topic.title},
            "slug": q.slug,
            "title": q.title,
            "prompt": q.prompt,
            "answer": q.answer,
            "difficulty": Difficulty(q.difficulty).label,
            "status": q.status,
            "tags": [tag.slug for tag in q.tags.all()],
            "created_at": q.created_at,
            "updated_at": q.updated_at,
            "published_at": q.published_at,
        }
        for q in questions
    ]
    return JsonResponse({"next": None, "previous": None, "results": results})


class _TopicSerializer(serializers.ModelSerializer[Topic]):
    class Meta:
        model = Topic
        fields = ("slug", "title")


class _QuestionSerializer(serializers.ModelSerializer[Question]):
    topic = _TopicSerializer()
    difficulty = serializers.CharField(source="get_difficulty_display")
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


class _Pages(pagination.PageNumberPagination):
    page_size = PAGE_SIZE


class TextbookQuestionList(generics.ListAPIView[Any]):
    serializer_class = _QuestionSerializer
    pagination_class = _Pages
    permission_classes = (AllowAny,)
    queryset = (
        Question.objects.filter(status=QuestionStatus.PUBLISHED)
        .select_related("topic")
        .prefetch_related("tags")
        .order_by("-created_at", "-id")
    )
