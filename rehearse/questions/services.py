"""Writes to the question bank. Each public function is one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from rehearse.questions.models import (
    Difficulty,
    Question,
    QuestionStatus,
    Source,
    Tag,
    Topic,
)
from rehearse.questions.sheet import Note, Pairing, ParsedQuestion, ParsedSheet, ParsedTopic

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
            elif question.source_id not in (None, source.pk):
                # Another document owns this question: keep its version, say so.
                report.kept.append(f"{label} (defined by {question.source})")
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
