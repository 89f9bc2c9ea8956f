"""Full-text search on PostgreSQL goes through the GIN index of migration 0002."""

from __future__ import annotations

import pytest
from django.db import connection

from rehearse.questions.models import Question
from rehearse.questions.selectors import question_search
from rehearse.questions.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_search_uses_the_gin_index(on_postgres: None) -> None:
    for index in range(30):
        QuestionFactory(title=f"Question {index}", prompt="How do B-tree indexes work?")
    queryset = question_search(Question.objects.all(), "indexes")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # On a 30-row table a sequential scan is cheaper; forbidding it shows whether
        # the index *can* serve the query, i.e. whether the expressions match.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "question_search" in plan, plan
    assert queryset.count() == 30
