"""A GIN index for full-text search, on PostgreSQL only.

SQLite (the embedded default) has no tsvector; there search falls back to LIKE. The
expression must stay identical to ``selectors.SEARCH_VECTOR``: PostgreSQL uses an
expression index only for queries that repeat the expression, and
``test_search_uses_the_gin_index`` checks that it does.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(
    SearchVector("title", weight="A", config="english")
    + SearchVector("prompt", weight="B", config="english")
    + SearchVector("answer", weight="C", config="english"),
    name="question_search",
)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("questions", "Question"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("questions", "Question"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("questions", "0001_initial")]

    operations = [migrations.RunPython(add_index, remove_index)]
