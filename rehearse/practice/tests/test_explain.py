"""EXPLAIN on PostgreSQL: every query of the due queue and of progress uses an index.

The data: ``generate-practice-data`` run for ten learners of 10,000 cards with 10
review logs each, so 100,000 cards and 1,000,000 review logs in all (the command's
docstring says how it shapes them; it takes about half a minute here). Each endpoint
is called as learner 0 and every SELECT it ran is EXPLAINed as it was sent; no plan
may read ``practice_card`` or ``practice_reviewlog`` with a sequential scan. The plans
are printed (``pytest -s`` shows them); docs/practice.md discusses them.
"""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.practice.models import Card, ReviewLog

LEARNERS = 10
CARDS = 10_000
REVIEWS_PER_CARD = 10
BIG_TABLES = ("practice_card", "practice_reviewlog")
BASE = "/api/v1/practice"


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("on_postgres")
def test_due_queue_and_progress_queries_use_indexes_on_a_million_reviews() -> None:
    started = time.perf_counter()
    for index in range(LEARNERS):
        call_command(
            "generate-practice-data",
            email=f"explain{index}@example.org",
            cards=CARDS,
            reviews_per_card=REVIEWS_PER_CARD,
            interviews=50,
            stdout=io.StringIO(),
        )
    print(f"\ngenerated {LEARNERS} learners in {time.perf_counter() - started:.1f} s")  # noqa: T201
    assert Card.objects.count() == LEARNERS * CARDS
    assert ReviewLog.objects.count() == LEARNERS * CARDS * REVIEWS_PER_CARD

    api = APIClient()
    api.force_authenticate(User.objects.get(email="explain0@example.org"))
    first_page = api.get(f"{BASE}/due/?page_size=20").json()
    assert len(first_page["results"]) == 20
    paths = [
        f"{BASE}/due/?page_size=20",
        first_page["next"],
        f"{BASE}/progress/topics/",
        f"{BASE}/progress/activity/?days=90",
        f"{BASE}/progress/streak/",
        f"{BASE}/progress/forecast/",
        f"{BASE}/interviews/",
        f"{BASE}/reviews/",
    ]
    sequential: list[str] = []
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(path)
        assert response.status_code == 200, (path, response.content)
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            plan = explain(sql)
            print(f"\n=== {path}\n{sql}\n--- plan\n{plan}")  # noqa: T201 -- the plans are the output
            sequential += [
                f"{path}: {line.strip()}"
                for line in plan.splitlines()
                if "Seq Scan" in line and any(f" on {table} " in f"{line} " for table in BIG_TABLES)
            ]
    assert not sequential, "\n".join(sequential)
