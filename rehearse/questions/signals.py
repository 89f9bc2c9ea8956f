"""Keep the bank version (rehearse/core/conditional.py) in step with the bank.

Every write that can change what a read of the published bank returns makes the bank
version move, which invalidates every ETag and every shared-cache copy of the bank at
once. Writes that bypass model signals (``QuerySet.update()``, ``bulk_create()``) must
call ``bank_changed()`` themselves; the importer's ``bulk_create`` of tags needs not,
since a tag shows nowhere until ``question.tags.set()`` (which does signal) uses it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from rehearse.core.conditional import bank_changed
from rehearse.questions.models import Question, Tag, Topic

M2M_WRITES = frozenset({"post_add", "post_remove", "post_clear"})


def _after_commit(using: str | None) -> None:
    # After the commit, not now: a reader that saw the new version before the data
    # commits would cache the old data under it, as fresh, until the next write.
    # robust: a cache that is down must not turn a committed write into a 500 (the
    # version then moves with the next write; docs/deploy.md says so).
    transaction.on_commit(bank_changed, using=using, robust=True)


def bank_row_written(sender: type[Any], using: str | None = None, **kwargs: Any) -> None:
    _after_commit(using)


def question_tags_changed(
    sender: type[Any], action: str, using: str | None = None, **kwargs: Any
) -> None:
    if action in M2M_WRITES:
        _after_commit(using)


def connect() -> None:
    for model in (Question, Topic, Tag):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                bank_row_written,
                sender=model,
                dispatch_uid=f"bank-version-{name}-{model.__name__}",
            )
    m2m_changed.connect(
        question_tags_changed, sender=Question.tags.through, dispatch_uid="bank-version-tags"
    )
