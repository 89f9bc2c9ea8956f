"""The question bank's read API: topics and questions as router-built ViewSets."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets

from rehearse.questions import selectors
from rehearse.questions.api.filters import QuestionFilter
from rehearse.questions.api.serializers import QuestionSerializer, TopicSerializer
from rehearse.questions.models import Topic


class TopicViewSet(viewsets.ReadOnlyModelViewSet[Topic]):
    """Topics of the bank, with how many questions you can see in each."""

    serializer_class = TopicSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Topic]:
        return selectors.topic_list(user=self.request.user).order_by("title")


class QuestionViewSet(viewsets.ReadOnlyModelViewSet[Any]):
    """Questions: anonymous users see the published bank; filter, search and order it."""

    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.question_list(user=self.request.user).order_by("-created_at", "-id")
