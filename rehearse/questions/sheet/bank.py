"""The bank layout: `# Topic`, `## Question`, `### Answer`, as rehearse's `content/` uses.

This layout is written for the importer, so it is read strictly: anything that does not
follow docs/question-format.md is an error naming its line rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rehearse.questions.sheet.lines import Line, heading_of, join_text, metadata_of
from rehearse.questions.sheet.parsed import (
    Note,
    ParsedQuestion,
    ParsedSheet,
    ParsedTopic,
    SheetSyntaxError,
)
from rehearse.questions.sheet.words import SLUG_MAX_LENGTH, collapse, slugify_title, unbold

DIFFICULTIES = ("easy", "medium", "hard")
DEFAULT_DIFFICULTY = "medium"
TOPIC_KEYS = ("slug",)
QUESTION_KEYS = ("slug", "difficulty", "tags")

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_METADATA_KEY = re.compile(r"\s*(?:slug|difficulty|tags)\s*:", re.IGNORECASE)


@dataclass
class _Mark:
    """A line that gives the document its structure."""

    index: int  # into the document's lines
    kind: str  # "topic", "question" or "answer"
    title: str


@dataclass
class _Topic:
    slug: str
    title: str
    description: str
    line: int
    questions: list[ParsedQuestion] = field(default_factory=list)


def _is_answer_heading(text: str) -> bool:
    return text.removesuffix(":").strip().casefold() == "answer"


def looks_like_bank(lines: Sequence[Line]) -> bool:
    """True if the document uses the bank layout rather than the sheet layout.

    The bank layout is the one with level-1 topic headings, `### Answer` headings or
    metadata comments; a sheet has none of them (its topics are `##`/`###` headings).
    """
    for line in lines:
        heading = heading_of(line)
        if heading is not None and (
            heading.level == 1 or (heading.level == 3 and _is_answer_heading(heading.text))
        ):
            return True
        comment = metadata_of(line)
        if comment is not None and _METADATA_KEY.match(comment):
            return True
    return False


def _marks(lines: Sequence[Line]) -> list[_Mark]:
    marks: list[_Mark] = []
    for index, line in enumerate(lines):
        heading = heading_of(line)
        if heading is None:
            continue
        title = unbold(collapse(heading.text))
        if heading.level == 1:
            if not title:
                raise SheetSyntaxError(line.number, "topic heading without a title")
            marks.append(_Mark(index, "topic", title))
        elif heading.level == 2:
            if not title:
                raise SheetSyntaxError(line.number, "question heading without a title")
            marks.append(_Mark(index, "question", title))
        elif heading.level == 3 and _is_answer_heading(heading.text):
            marks.append(_Mark(index, "answer", title))
    return marks


def _metadata(
    segment: Sequence[Line], allowed: Sequence[str]
) -> tuple[dict[str, str], Sequence[Line]]:
    """The metadata comment at the top of a segment, and the rest of the segment."""
    first = next((i for i, line in enumerate(segment) if not line.blank), None)
    if first is None:
        return {}, segment
    line = segment[first]
    comment = metadata_of(line)
    if comment is None:
        return {}, segment
    entries: dict[str, str] = {}
    for entry in comment.split(";"):
        if not entry.strip():
            continue
        key, colon, value = entry.partition(":")
        key = key.strip().casefold()
        if not colon:
            raise SheetSyntaxError(
                line.number, f"metadata entry {entry.strip()!r} is not written 'key: value'"
            )
        if key not in allowed:
            raise SheetSyntaxError(
                line.number, f"unknown metadata key {key!r} (allowed: {', '.join(allowed)})"
            )
        if key in entries:
            raise SheetSyntaxError(line.number, f"metadata key {key!r} is given twice")
        entries[key] = value.strip()
    if "slug" in entries:
        slug = entries["slug"]
        if not _SLUG.fullmatch(slug) or len(slug) > SLUG_MAX_LENGTH:
            raise SheetSyntaxError(
                line.number,
                f"invalid slug {slug!r} (lowercase letters, digits and single hyphens, "
                f"at most {SLUG_MAX_LENGTH} characters)",
            )
    if "difficulty" in entries:
        difficulty = entries["difficulty"].casefold()
        if difficulty not in DIFFICULTIES:
            raise SheetSyntaxError(
                line.number,
                f"invalid difficulty {entries['difficulty']!r} (use easy, medium or hard)",
            )
        entries["difficulty"] = difficulty
    return entries, segment[first + 1 :]


def _tags(value: str) -> tuple[str, ...]:
    tags = (tag.strip() for tag in value.split(","))
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def parse_bank(lines: Sequence[Line]) -> ParsedSheet:
    marks = _marks(lines)
    notes: list[Note] = []
    topics: list[_Topic] = []
    topic_lines: dict[str, int] = {}

    preamble = lines[: marks[0].index] if marks else lines
    first_text = next((line for line in preamble if not line.blank), None)
    if first_text is not None and (not marks or marks[0].kind == "topic"):
        notes.append(Note(first_text.number, "text before the first topic heading is ignored"))

    for position, mark in enumerate(marks):
        line = lines[mark.index]
        end = marks[position + 1].index if position + 1 < len(marks) else len(lines)
        segment = lines[mark.index + 1 : end]
        if mark.kind == "topic":
            meta, rest = _metadata(segment, TOPIC_KEYS)
            slug = meta.get("slug") or slugify_title(mark.title)
            if slug in topic_lines:
                raise SheetSyntaxError(
                    line.number,
                    f"topic slug {slug!r} is already used by the topic at line {topic_lines[slug]}",
                )
            topic_lines[slug] = line.number
            description = join_text(item.text for item in rest)
            topics.append(_Topic(slug, mark.title, description, line.number))
        elif mark.kind == "question":
            if not topics:
                raise SheetSyntaxError(
                    line.number, "question before any topic: start the document with '# Topic'"
                )
            topic = topics[-1]
            meta, rest = _metadata(segment, QUESTION_KEYS)
            slug = meta.get("slug") or slugify_title(mark.title)
            earlier = next((q for q in topic.questions if q.slug == slug), None)
            if earlier is not None:
                raise SheetSyntaxError(
                    line.number,
                    f"question slug {slug!r} is already used in topic {topic.title!r} "
                    f"(line {earlier.line})",
                )
            answer: str | None = None
            if position + 1 < len(marks) and marks[position + 1].kind == "answer":
                answer_mark = marks[position + 1]
                answer_end = marks[position + 2].index if position + 2 < len(marks) else len(lines)
                answer = join_text(item.text for item in lines[answer_mark.index + 1 : answer_end])
            if not answer:
                answer = None
                notes.append(
                    Note(
                        line.number,
                        f"question {mark.title!r} has no answer; it is imported as an "
                        "unanswered draft",
                    )
                )
            topic.questions.append(
                ParsedQuestion(
                    topic_slug=topic.slug,
                    slug=slug,
                    title=mark.title,
                    prompt=join_text(item.text for item in rest),
                    answer=answer,
                    difficulty=meta.get("difficulty", DEFAULT_DIFFICULTY),
                    tags=_tags(meta.get("tags", "")),
                    line=line.number,
                )
            )
        else:
            previous = marks[position - 1].kind if position else None
            if previous != "question":
                where = {
                    None: "before any question",
                    "topic": "before any question of this topic",
                    "answer": "a second time in one question",
                }[previous]
                raise SheetSyntaxError(line.number, f"'### Answer' heading {where}")

    return ParsedSheet(
        topics=tuple(ParsedTopic(t.slug, t.title, t.description, t.line) for t in topics),
        questions=tuple(question for topic in topics for question in topic.questions),
        pairings=(),
        notes=tuple(sorted(notes, key=lambda note: (note.line, note.message))),
    )
