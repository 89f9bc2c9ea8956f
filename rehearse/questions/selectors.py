"""Reads of the question bank. Views and pages call these; none of them writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Q, QuerySet

from rehearse.questions.models import (
    Question,
    QuestionQuerySet,
    QuestionTransition,
    Topic,
    question_visibility,
)

if TYPE_CHECKING:
    from rehearse.questions.models import Viewer

SEARCH_CONFIG = "english"

# The same expression the GIN index in migration 0002 is built on: PostgreSQL uses an
# expression index only for a query that repeats the expression exactly.
SEARCH_VECTOR = (
    SearchVector("title", weight="A", config=SEARCH_CONFIG)
    + SearchVector("prompt", weight="B", config=SEARCH_CONFIG)
    + SearchVector("answer", weight="C", config=SEARCH_CONFIG)
)


def question_list(*, user: Viewer) -> QuestionQuerySet:
    """Questions the user may see, with what the API shows of them in two queries."""
    return (
        Question.objects.visible_to(user)
        .select_related("topic")
        .prefetch_related("tags")
        .defer("topic__description")
    )


def question_search(queryset: QuerySet[Question], terms: str) -> QuerySet[Question]:
    """Full-text search over title, prompt and answer.

    PostgreSQL: stemmed, ranked-by-weight text search on a GIN index ("indexes"
    matches "index", and the search syntax of web search engines works: quotes, OR,
    -exclusion). SQLite, the embedded default, has no such index; there every word
    must appear in one of the three fields, case-insensitively.
    """
    terms = terms.strip()
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(terms, search_type="websearch", config=SEARCH_CONFIG)
        return queryset.annotate(search_document=SEARCH_VECTOR).filter(search_document=query)
    for word in terms.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(prompt__icontains=word) | Q(answer__icontains=word)
        )
    return queryset


def question_history(question: Question) -> QuerySet[QuestionTransition]:
    """The audit trail of one question, oldest first, with who did each step."""
    return question.transitions.select_related("actor").order_by("at", "id")


def topic_list(*, user: Viewer) -> QuerySet[Topic]:
    """Topics with the number of questions the user may see in each (one query)."""
    visible = question_visibility(user, prefix="questions__")
    count = Count("questions", filter=visible) if visible else Count("questions")
    return Topic.objects.annotate(question_count=count)
