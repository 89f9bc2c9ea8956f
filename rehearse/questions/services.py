"""Writes to the question bank: the importer and the authoring workflow.

Each public function is one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from rehearse.core import problems
from rehearse.core.exceptions import DomainError
from rehearse.questions.models import (
    Difficulty,
    Question,
    QuestionStatus,
    QuestionTransition,
    Source,
    Tag,
    Topic,
)
from rehearse.questions.sheet import (
    Note,
    Pairing,
    ParsedQuestion,
    ParsedSheet,
    ParsedTopic,
    slugify_title,
)

if TYPE_CHECKING:
    from rehearse.accounts.models import User

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SheetDocument:
    """A parsed document and the name it is recorded under (its path, usually)."""

    name: str
    text: str
    sheet: ParsedSheet

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    pairings: list[tuple[str, Pairing]] = field(default_factory=list)
    notes: list[tuple[str, Note]] = field(default_factory=list)


class DuplicateQuestion(ValueError):
    """Two documents of one import define the same (topic, question) natural key."""


_DIFFICULTY = {choice.label: choice.value for choice in Difficulty}


def _upsert_topics(topics: Sequence[ParsedTopic]) -> dict[str, Topic]:
    existing = {
        topic.slug: topic for topic in Topic.objects.filter(slug__in=[t.slug for t in topics])
    }
    for parsed in topics:
        topic = existing.get(parsed.slug)
        if topic is None:
            existing[parsed.slug] = Topic.objects.create(
                slug=parsed.slug, title=parsed.title, description=parsed.description
            )
            continue
        # Only a document that describes a topic may rename it: an interview sheet
        # that merely files questions under "Django REST API" must not rename the
        # bank's "Django REST framework" topic or erase its description.
        if parsed.description and (topic.title, topic.description) != (
            parsed.title,
            parsed.description,
        ):
            topic.title, topic.description = parsed.title, parsed.description
            topic.save(update_fields=["title", "description"])
    return existing


def _tags_by_slug(slugs: set[str]) -> dict[str, Tag]:
    # ignore_conflicts: a tag created concurrently by another import is fine as it is.
    Tag.objects.bulk_create([Tag(slug=slug) for slug in sorted(slugs)], ignore_conflicts=True)
    return {tag.slug: tag for tag in Tag.objects.filter(slug__in=slugs)}


def _apply(question: Question, parsed: ParsedQuestion, source: Source) -> list[str]:
    """Copy the parsed fields onto ``question``; return the names of those that changed."""
    wanted = {
        "title": parsed.title,
        "prompt": parsed.prompt,
        "answer": parsed.answer or "",
        "difficulty": _DIFFICULTY[parsed.difficulty],
        "source_id": source.pk,
    }
    changed = [name for name, value in wanted.items() if getattr(question, name) != value]
    for name in changed:
        setattr(question, name, wanted[name])
    return changed


@transaction.atomic
def questions_import(
    *, documents: Sequence[SheetDocument], progress: Progress | None = None
) -> ImportReport:
    """Upsert every question of ``documents`` by natural key, all in one transaction.

    Re-importing the same documents changes nothing. A question another document
    imported is left as that document defined it and reported as kept. Statuses
    follow the content on creation (answered: published; unanswered: draft) and
    afterwards stay in the moderators' hands, except that a draft the importer
    created unanswered is published once a document answers it.
    """
    report = ImportReport()
    seen: dict[tuple[str, str], str] = {}
    for document in documents:
        for parsed in document.sheet.questions:
            key = (parsed.topic_slug, parsed.slug)
            if key in seen:
                raise DuplicateQuestion(
                    f"{document.name}:{parsed.line}: question {parsed.slug!r} of topic "
                    f"{parsed.topic_slug!r} is also defined in {seen[key]}."
                )
            seen[key] = f"{document.name}:{parsed.line}"

    topics = _upsert_topics([topic for doc in documents for topic in doc.sheet.topics])
    tags = _tags_by_slug({tag for doc in documents for q in doc.sheet.questions for tag in q.tags})
    total = len(seen)
    done = 0
    now = timezone.now()
    for document in documents:
        source, created = Source.objects.get_or_create(
            name=document.name, defaults={"digest": document.digest, "imported_at": now}
        )
        if not created and source.digest != document.digest:
            source.digest, source.imported_at = document.digest, now
            source.save(update_fields=["digest", "imported_at"])
        existing = {
            (q.topic.slug, q.slug): q
            for q in Question.objects.filter(
                topic__slug__in={q.topic_slug for q in document.sheet.questions}
            )
            .select_related("topic", "source")
            .prefetch_related("tags")
        }
        for parsed in document.sheet.questions:
            label = f"{parsed.topic_slug}/{parsed.slug}"
            question = existing.get((parsed.topic_slug, parsed.slug))
            wanted_tags = {tags[slug].pk for slug in parsed.tags}
            if question is None:
                question = Question(topic=topics[parsed.topic_slug], slug=parsed.slug)
                _apply(question, parsed, source)
                if parsed.answer:
                    question.status = QuestionStatus.PUBLISHED
                    question.published_at = now
                question.save()
                question.tags.set(wanted_tags)
                report.created.append(label)
            elif question.source_id not in (None, source.pk) or (
                question.source_id is None and question.author_id is not None
            ):
                # Another document, or an author through the API, owns this question:
                # keep their version and say so.
                owner = question.source or f"author #{question.author_id}"
                report.kept.append(f"{label} (defined by {owner})")
            else:
                was_unanswered = not question.is_answered
                changed = _apply(question, parsed, source)
                if was_unanswered and parsed.answer and question.status == QuestionStatus.DRAFT:
                    question.status, question.published_at = QuestionStatus.PUBLISHED, now
                    changed += ["status", "published_at"]
                tags_changed = {tag.pk for tag in question.tags.all()} != wanted_tags
                if changed:
                    question.save(update_fields=[*changed, "updated_at"])
                if tags_changed:
                    question.tags.set(wanted_tags)
                if changed or tags_changed:
                    report.updated.append(label)
                else:
                    report.unchanged += 1
            if not parsed.answer:
                report.unanswered.append(f"{document.name}:{parsed.line}: {parsed.title}")
            done += 1
            if progress is not None:
                progress(done, total)
        report.pairings += [(document.name, pairing) for pairing in document.sheet.pairings]
        report.notes += [(document.name, note) for note in document.sheet.notes]
    return report


# -- Authoring workflow --------------------------------------------------------------
#
# draft --submit--> in_review --publish--> published --unpublish--> draft
#                   in_review --reject (with a reason)--> draft
#
# Who may call what is declared in permissions.py; these functions enforce the state
# rules. Each locks the question's row (SELECT ... FOR UPDATE) and checks the state
# only after holding the lock: two moderators acting on one question at once are
# serialized, and the second one sees the first one's result, not the state both
# started from.

MODERATE_PERMISSION = "questions.moderate_question"
REASON_MAX_LENGTH = 2000
_SLUG_MAX_LENGTH = Question._meta.get_field("slug").max_length or 80
_SLUG_ATTEMPTS = 3

# "This question is <state>", "only <kind> can be <done>".
_STATE = {
    QuestionStatus.DRAFT: "a draft",
    QuestionStatus.IN_REVIEW: "in review",
    QuestionStatus.PUBLISHED: "published",
}
_KIND = {
    QuestionStatus.DRAFT: "a draft",
    QuestionStatus.IN_REVIEW: "a question in review",
    QuestionStatus.PUBLISHED: "a published question",
}


class QuestionStateConflict(DomainError):
    """The question is not in a state that allows this; the body names the state."""

    def __init__(self, detail: str, *, current_status: str) -> None:
        super().__init__(detail, current_status=current_status)
        self.current_status = current_status


class InvalidTransition(QuestionStateConflict):
    """A workflow step asked of a question in the wrong state (publish a draft...)."""


class QuestionNotEditable(QuestionStateConflict):
    """An author tried to change or delete their question after it left the draft state."""


class QuestionInUse(DomainError):
    """Learners have practice history with the question; deleting it would erase that."""


class SlugUnavailable(DomainError):
    """No free slug could be found for a title (only under extreme concurrent creation)."""


class InvalidReason(DomainError):
    """A rejection without a reason, or a reason longer than REASON_MAX_LENGTH."""

    status = 400
    problem_type = problems.VALIDATION


@dataclass(frozen=True)
class _Step:
    action: QuestionTransition.Action
    source: QuestionStatus
    target: QuestionStatus
    done: str


_SUBMIT = _Step(
    QuestionTransition.Action.SUBMIT,
    QuestionStatus.DRAFT,
    QuestionStatus.IN_REVIEW,
    "submitted for review",
)
_PUBLISH = _Step(
    QuestionTransition.Action.PUBLISH,
    QuestionStatus.IN_REVIEW,
    QuestionStatus.PUBLISHED,
    "published",
)
_REJECT = _Step(
    QuestionTransition.Action.REJECT, QuestionStatus.IN_REVIEW, QuestionStatus.DRAFT, "rejected"
)
_UNPUBLISH = _Step(
    QuestionTransition.Action.UNPUBLISH,
    QuestionStatus.PUBLISHED,
    QuestionStatus.DRAFT,
    "unpublished",
)


def _is_moderator(user: User) -> bool:
    return user.has_perm(MODERATE_PERMISSION)


def _locked(question: Question) -> Question:
    """The question's row, locked until the end of the transaction, as it is now."""
    return Question.objects.select_for_update().get(pk=question.pk)


def _free_slug(*, topic: Topic, base: str, exclude: Question | None = None) -> str:
    """``base`` if no other question of ``topic`` has it, else ``base-2``, ``base-3``..."""
    base = base or "question"
    others = Question.objects.filter(topic=topic, slug__startswith=base[: _SLUG_MAX_LENGTH - 8])
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
    taken = set(others.values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: _SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _save_with_free_slug(question: Question, *, base: str, **save_options: Any) -> None:
    """Save ``question`` under the first free slug of its topic.

    Two authors creating "What is JWT?" in one topic at the same moment can both find
    "what-is-jwt" free; the unique constraint lets one of them have it and the other
    retries with the next number, inside a savepoint so its transaction survives.
    """
    for _ in range(_SLUG_ATTEMPTS):
        question.slug = _free_slug(topic=question.topic, base=base, exclude=question)
        try:
            with transaction.atomic():
                question.save(**save_options)
        except IntegrityError:
            continue
        return
    raise SlugUnavailable(
        f"Could not find a free slug for {base!r} in topic {question.topic.slug!r}; try again."
    )


def question_check_editable(question: Question, by: User, verb: str = "change") -> None:
    """Refuse a change ``by`` may not make: authors change only their drafts, moderators
    any question (permissions.py says whose). Pages ask it to show a question read-only."""
    if question.status != QuestionStatus.DRAFT and not _is_moderator(by):
        raise QuestionNotEditable(
            f"This question is {_STATE[QuestionStatus(question.status)]}: "
            f"authors can {verb} only their drafts.",
            current_status=question.status,
        )


@transaction.atomic
def question_create(
    *,
    author: User,
    topic: Topic,
    title: str,
    prompt: str,
    answer: str = "",
    difficulty: int = Difficulty.MEDIUM,
    tags: Sequence[str] = (),
) -> Question:
    """A new draft by ``author``.

    The slug comes from the title. If the topic already has a question with that slug
    (perhaps another author's draft this author cannot see), the new one gets the
    first free numbered slug ("what-is-jwt-2") rather than an error that would reveal
    the hidden draft.
    """
    question = Question(
        topic=topic,
        title=title,
        prompt=prompt,
        answer=answer,
        difficulty=difficulty,
        status=QuestionStatus.DRAFT,
        author=author,
    )
    _save_with_free_slug(question, base=slugify_title(title))
    if tags:
        question.tags.set(_tags_by_slug(set(tags)).values())
    return question


@transaction.atomic
def question_update(
    *,
    question: Question,
    by: User,
    topic: Topic | None = None,
    title: str | None = None,
    prompt: str | None = None,
    answer: str | None = None,
    difficulty: int | None = None,
    tags: Sequence[str] | None = None,
) -> Question:
    """Change the given fields (``None``: leave as is). The slug stays fixed at creation,
    so links to the question survive a retitling, unless it clashes in a new topic."""
    question = _locked(question)
    question_check_editable(question, by, "change")
    changes = {"title": title, "prompt": prompt, "answer": answer, "difficulty": difficulty}
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(question, name, changes[name])
    if topic is not None and topic.pk != question.topic_id:
        question.topic = topic
        _save_with_free_slug(
            question, base=question.slug, update_fields=[*fields, "topic", "slug", "updated_at"]
        )
    else:
        question.save(update_fields=[*fields, "updated_at"])
    if tags is not None:
        question.tags.set(_tags_by_slug(set(tags)).values())
    return question


@transaction.atomic
def question_delete(*, question: Question, by: User) -> None:
    question = _locked(question)
    question_check_editable(question, by, "delete")
    try:
        with transaction.atomic():
            question.delete()
    except ProtectedError:
        raise QuestionInUse(
            "Learners have cards or interview answers for this question; unpublish it "
            "instead of deleting it, so their history stays intact."
        ) from None


def _move(*, question: Question, by: User, step: _Step, reason: str = "") -> Question:
    question = _locked(question)
    current = QuestionStatus(question.status)
    if current != step.source:
        raise InvalidTransition(
            f"This question is {_STATE[current]}: only {_KIND[step.source]} can be {step.done}.",
            current_status=current.value,
        )
    question.status = step.target
    if step.target == QuestionStatus.PUBLISHED:
        question.published_at = timezone.now()
    elif step.source == QuestionStatus.PUBLISHED:
        question.published_at = None
    question.save(update_fields=["status", "published_at", "updated_at"])
    QuestionTransition.objects.create(
        question=question,
        actor=by,
        action=step.action,
        from_status=step.source,
        to_status=step.target,
        reason=reason,
    )
    return question


@transaction.atomic
def question_submit(*, question: Question, by: User) -> Question:
    """draft -> in_review: the author asks a moderator to look at it."""
    return _move(question=question, by=by, step=_SUBMIT)


@transaction.atomic
def question_publish(*, question: Question, by: User) -> Question:
    """in_review -> published: everyone can see it from now on."""
    return _move(question=question, by=by, step=_PUBLISH)


@transaction.atomic
def question_reject(*, question: Question, by: User, reason: str) -> Question:
    """in_review -> draft, with the reason the author reads in the history."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX_LENGTH:
        raise InvalidReason(
            f"A rejection needs a reason of 1 to {REASON_MAX_LENGTH} characters.",
            errors={"reason": [f"Give a reason of 1 to {REASON_MAX_LENGTH} characters."]},
        )
    return _move(question=question, by=by, step=_REJECT, reason=reason)


@transaction.atomic
def question_unpublish(*, question: Question, by: User, reason: str = "") -> Question:
    """published -> draft: it leaves the public bank; the reason is optional."""
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidReason(
            f"A reason is at most {REASON_MAX_LENGTH} characters.",
            errors={
                "reason": [f"Ensure this field has no more than {REASON_MAX_LENGTH} characters."]
            },
        )
    return _move(question=question, by=by, step=_UNPUBLISH, reason=reason.strip())
