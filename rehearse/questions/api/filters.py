"""Query parameters of the question list: each one validated, each one indexed.

A value that cannot be right (``difficulty=extreme``, ``ordering=password``) is a 400
with the field named, never silently ignored and never a 500.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from rehearse.questions import selectors
from rehearse.questions.models import Difficulty, Question, QuestionStatus

DIFFICULTY_BY_NAME = {choice.label: choice.value for choice in Difficulty}


# Length limits the schema must state too (django-filter's schema does not carry them).
MAX_LENGTHS = {"topic": 80, "tag": 50, "search": 200}


class QuestionFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(
        field_name="topic__slug",
        max_length=MAX_LENGTHS["topic"],
        help_text="Topic slug, e.g. recursion.",
    )
    difficulty = django_filters.ChoiceFilter(
        choices=[(name, name) for name in DIFFICULTY_BY_NAME],
        method="filter_difficulty",
        help_text="easy, medium or hard.",
    )
    tag = django_filters.CharFilter(
        field_name="tags__slug", max_length=MAX_LENGTHS["tag"], help_text="Tag slug."
    )
    status = django_filters.ChoiceFilter(
        choices=QuestionStatus.choices,
        help_text="Only meaningful to authors and moderators: others see published ones.",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_LENGTHS["search"],
        help_text="Full-text search over title, prompt and answer.",
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("created_at", "created"),
            ("title", "title"),
            ("difficulty", "difficulty"),
        ),
        help_text="created, title or difficulty; prefix with - to reverse. Default: -created.",
    )

    class Meta:
        model = Question
        fields: list[str] = []

    def filter_difficulty(
        self, queryset: QuerySet[Question], name: str, value: str
    ) -> QuerySet[Question]:
        return queryset.filter(difficulty=DIFFICULTY_BY_NAME[value])

    def filter_search(self, queryset: QuerySet[Question], name: str, value: str) -> QuerySet[Any]:
        return selectors.question_search(queryset, value)
