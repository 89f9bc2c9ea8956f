"""The sheet layout: an interview sheet as people (and chat assistants) write them.

A sheet lists each topic twice under the same heading: first its questions as bold-titled
bullets, later its answers as bullets with everything indented under them. Between the
sections there is prose to ignore and, sometimes, a question with its answer standing on
their own. The reading here follows the document's visual structure (indentation, blank
lines, code fences) and the pairing in `pairing.py`; it never needs words of a particular
sheet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rehearse.questions.sheet.lines import (
    Fence,
    Line,
    ListItem,
    dedent,
    heading_of,
    join_text,
    list_item_of,
    opens_block,
    remove_indent,
)
from rehearse.questions.sheet.pairing import Method, match_answers
from rehearse.questions.sheet.parsed import (
    Note,
    Pairing,
    ParsedQuestion,
    ParsedSheet,
    ParsedTopic,
    SheetSyntaxError,
)
from rehearse.questions.sheet.words import clean_title, collapse, slugify_title

DEFAULT_DIFFICULTY = "medium"

# A free-standing paragraph is a question if it ends with "?" or reads as an instruction to
# the candidate: it ends with "." and starts with one of these words.
# fmt: off
_ASKING_WORDS = frozenset((
    "analyse", "analyze", "compare", "contrast", "define", "demonstrate", "describe", "design",
    "differentiate", "discuss", "distinguish", "elaborate", "evaluate", "explain", "give",
    "how", "identify", "illustrate", "implement", "justify", "list", "name", "outline", "show",
    "state", "summarise", "summarize", "tell", "walk", "what", "when", "where", "which", "who",
    "why", "write",
))
# fmt: on
# Longer than this, a paragraph is an explanation rather than a question.
_QUESTION_MAX_LINES = 3
_QUESTION_MAX_CHARS = 300

# What a question's subject is wrapped in: "Explain the difference between X." is about X.
_SUBJECT_PREFIXES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?:can|could|would|will) you\s+",
        r"please\s+",
        r"(?:briefly\s+)?(?:explain|describe|compare|contrast|define|discuss|outline|"
        r"summari[sz]e|list|name|give|show|illustrate|demonstrate|identify|differentiate|"
        r"distinguish|tell (?:me|us) about|walk (?:me |us )?through|elaborate on)\s+",
        r"(?:what|how|why|when|where|which|who)(?:'s|\s+(?:is|are|was|were|do|does|did|can|"
        r"could|should|would|will))?\s+",
        r"(?:the\s+)?(?:main\s+|key\s+)?(?:differences?|distinctions?)\s+(?:between|among)\s+",
        r"(?:the|a|an)\s+",
    )
)
_SUBJECT_SUFFIX = re.compile(r"\s+(?:works?|means?|do|does|matters?)$", re.IGNORECASE)
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


@dataclass
class _Item:
    """A top-level list item: its own line and the lines that belong to it."""

    line: Line
    marker: ListItem
    body: list[Line] = field(default_factory=list)
    lazy: set[int] = field(default_factory=set)  # line numbers of lazy continuation lines


@dataclass
class _Entry:
    """A titled item read from a list: a question (text = prompt) or an answer."""

    title: str
    text: str
    line: int


@dataclass
class _Question:
    title: str
    slug: str
    prompt: str
    line: int
    answer: str | None = None


@dataclass
class _Topic:
    slug: str
    title: str
    line: int
    description: str = ""
    appearances: int = 0
    first_heading: int = 0
    questions: list[_Question] = field(default_factory=list)
    answers: list[_Entry] = field(default_factory=list)


@dataclass
class _Block:
    """Consecutive non-blank lines outside any topic's list (a paragraph, list or code)."""

    lines: list[Line]
    gap: int  # blank lines between this block and the one before it


def _excerpt(text: str, limit: int = 60) -> str:
    text = collapse(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Reader:
    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = lines
        self.topics: dict[str, _Topic] = {}
        self.notes: list[Note] = []
        self.pairings: list[Pairing] = []

    def read(self) -> ParsedSheet:
        free: list[Line] = []
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            if heading_of(line) is None:
                free.append(line)
                index += 1
                continue
            self._free_text(free, before_heading=True)
            free = []
            index = self._section(index)
        self._free_text(free, before_heading=False)
        for topic in self.topics.values():
            self._pair(topic)
        return self._result()

    # Topic sections -------------------------------------------------------------------

    def _section(self, index: int) -> int:
        """Read the topic heading at `index`; return where the text after its list starts."""
        line = self.lines[index]
        heading = heading_of(line)
        assert heading is not None
        title = clean_title(heading.text)
        if not title:
            raise SheetSyntaxError(line.number, "topic heading without a title")
        topic = self._topic(title, line.number)
        topic.appearances += 1
        if topic.appearances == 1:
            topic.first_heading = line.number
        elif topic.appearances > 2:
            raise SheetSyntaxError(
                line.number,
                f"topic {title!r} appears a third time (its questions are at line "
                f"{topic.first_heading}, its answers after that); a sheet lists a topic "
                "once for its questions and once for their answers",
            )

        start = index + 1
        first_item = next(
            (
                position
                for position in range(start, len(self.lines))
                if heading_of(self.lines[position]) or list_item_of(self.lines[position])
            ),
            len(self.lines),
        )
        if first_item == len(self.lines) or heading_of(self.lines[first_item]):
            # No list under this heading: what follows it is free text.
            return start

        intro = self.lines[start:first_item]
        items, end = self._list(first_item)
        intro_text = join_text(dedent(intro))
        if intro_text and topic.appearances == 1:
            topic.description = intro_text
        elif intro_text:
            first = next(line for line in intro if not line.blank)
            self.notes.append(Note(first.number, f"ignored text: {_excerpt(intro_text)}"))

        for item in items:
            entry = self._entry(item)
            if topic.appearances == 1:
                self._add_question(topic, entry)
            elif entry.text:
                topic.answers.append(entry)
            else:
                self.notes.append(
                    Note(entry.line, f"answer {entry.title!r} is empty and is ignored")
                )
        return end

    def _list(self, index: int) -> tuple[list[_Item], int]:
        """Read the list starting at `index`; return its items and the index after it."""
        first = self.lines[index]
        marker = list_item_of(first)
        assert marker is not None
        items = [_Item(first, marker)]
        last_content = index
        continues_text = True  # the previous line is paragraph text a lazy line can extend
        position = index + 1
        while position < len(self.lines):
            line = self.lines[position]
            item = items[-1]
            new_marker = list_item_of(line)
            if line.is_code or line.blank:
                item.body.append(line)
                continues_text = False
            elif new_marker is not None and new_marker.marker_indent < item.marker.content_col:
                items.append(_Item(line, new_marker))
                continues_text = True
            elif line.indent >= item.marker.content_col or (
                line.indent > item.marker.marker_indent and heading_of(line) is None
            ):
                item.body.append(line)
                continues_text = line.fence is Fence.NONE
            elif continues_text and not opens_block(line):
                item.body.append(line)
                item.lazy.add(line.number)
            else:
                break
            if not line.blank:
                last_content = position
            position += 1
        for item in items:
            while item.body and item.body[-1].blank:
                item.body.pop()
        return items, last_content + 1

    def _entry(self, item: _Item) -> _Entry:
        content = item.marker.content
        number = item.line.number
        body_lines = [line for line in item.body if line.number not in item.lazy]
        widths = [line.indent for line in body_lines if not line.blank and not line.is_code]
        width = min([item.marker.content_col, *widths])
        body = [
            line.text.strip() if line.number in item.lazy else remove_indent(line.text, width)
            for line in item.body
        ]
        title, rest = _bold_title(content, number)
        if title is not None:
            return _Entry(title, join_text([rest, *body]) if rest else join_text(body), number)
        # No bold title: the item's first paragraph is the title (without its final period)
        # and the whole item is the prompt.
        paragraph = [content]
        for line, text in zip(item.body, body, strict=True):
            if line.blank or opens_block(line):
                break
            paragraph.append(text)
        title = collapse(" ".join(paragraph)).removesuffix(".").strip()
        return _Entry(title, join_text([content, *body]), number)

    def _topic(self, title: str, line: int) -> _Topic:
        slug = slugify_title(title)
        if slug not in self.topics:
            self.topics[slug] = _Topic(slug, title, line)
        return self.topics[slug]

    def _add_question(self, topic: _Topic, entry: _Entry, answer: str | None = None) -> None:
        slug = slugify_title(entry.title)
        earlier = next((q for q in topic.questions if q.slug == slug), None)
        if earlier is not None:
            raise SheetSyntaxError(
                entry.line,
                f"question slug {slug!r} is already used in topic {topic.title!r} "
                f"(line {earlier.line})",
            )
        topic.questions.append(_Question(entry.title, slug, entry.text, entry.line, answer))

    # Free text ------------------------------------------------------------------------

    def _free_text(self, lines: Sequence[Line], *, before_heading: bool) -> None:
        """File free-standing questions found in text outside topic lists; note the rest."""
        blocks = _blocks(lines)
        position = 0
        while position < len(blocks):
            block = blocks[position]
            if not _is_question(block):
                text = join_text(line.text for line in block.lines)
                self.notes.append(Note(block.lines[0].number, f"ignored text: {_excerpt(text)}"))
                position += 1
                continue
            # The answer is what follows as one visual group: paragraphs one blank line apart.
            end = position + 1
            while end < len(blocks) and blocks[end].gap <= 1 and not _is_question(blocks[end]):
                end += 1
            # "Here are the answers:" just before the next heading introduces that section.
            if (
                end == len(blocks)
                and end - position > 1
                and before_heading
                and blocks[end - 1].lines[-1].text.rstrip().endswith(":")
            ):
                end -= 1
            answer = [
                line for answer_block in blocks[position + 1 : end] for line in answer_block.lines
            ]
            if answer:
                self._free_question(block, lines, answer)
            else:
                self.notes.append(
                    Note(
                        block.lines[0].number,
                        f"{_excerpt(_block_text(block))!r} reads like a question but no "
                        "answer follows it; ignored",
                    )
                )
            position = max(end, position + 1)

    def _free_question(self, block: _Block, lines: Sequence[Line], answer: list[Line]) -> None:
        text = _block_text(block)
        title = collapse(text).removesuffix(".").strip()
        subject = _subject(title) or title
        topic = self._topic(subject, block.lines[0].number)
        # The answer runs from its first to its last line, blank lines between included;
        # `lines` is a stretch of the document, so line numbers give the offsets.
        start = answer[0].number - lines[0].number
        stop = answer[-1].number - lines[0].number + 1
        answer_text = join_text(dedent(lines[start:stop]))
        self._add_question(topic, _Entry(title, text, block.lines[0].number), answer_text)
        self.notes.append(
            Note(
                block.lines[0].number,
                f"free-standing question {_excerpt(title)!r} is filed under topic {topic.title!r}",
            )
        )

    # Answers --------------------------------------------------------------------------

    def _pair(self, topic: _Topic) -> None:
        open_questions = [q for q in topic.questions if q.answer is None]
        matches = match_answers(
            [(q.title, q.prompt) for q in open_questions], [a.title for a in topic.answers]
        )
        paired_answers = set()
        for match in matches:
            question = open_questions[match.question]
            answer = topic.answers[match.answer]
            question.answer = answer.text
            paired_answers.add(match.answer)
            if match.method is Method.TITLE:
                continue
            self.pairings.append(
                Pairing(
                    topic_slug=topic.slug,
                    question_title=question.title,
                    answer_title=answer.title,
                    confidence=match.confidence,
                    sure=match.sure,
                    question_line=question.line,
                    answer_line=answer.line,
                )
            )
            if match.method is Method.POSITION:
                self.notes.append(
                    Note(
                        answer.line,
                        f"answer {answer.title!r} is paired with question {question.title!r} "
                        f"(line {question.line}) only by its position; check it",
                    )
                )
        for index, answer in enumerate(topic.answers):
            if index not in paired_answers:
                self.notes.append(
                    Note(
                        answer.line,
                        f"answer {answer.title!r} matches no question of topic "
                        f"{topic.title!r}; it is not imported",
                    )
                )
        for question in topic.questions:
            if question.answer is None:
                self.notes.append(
                    Note(
                        question.line,
                        f"question {question.title!r} has no answer; it is imported as an "
                        "unanswered draft",
                    )
                )

    def _result(self) -> ParsedSheet:
        topics = [topic for topic in self.topics.values() if topic.questions]
        return ParsedSheet(
            topics=tuple(ParsedTopic(t.slug, t.title, t.description, t.line) for t in topics),
            questions=tuple(
                ParsedQuestion(
                    topic_slug=topic.slug,
                    slug=question.slug,
                    title=question.title,
                    prompt=question.prompt,
                    answer=question.answer,
                    difficulty=DEFAULT_DIFFICULTY,
                    tags=(),
                    line=question.line,
                )
                for topic in topics
                for question in topic.questions
            ),
            pairings=tuple(sorted(self.pairings, key=lambda p: (p.question_line, p.answer_line))),
            notes=tuple(sorted(self.notes, key=lambda note: (note.line, note.message))),
        )


def _bold_title(content: str, line: int) -> tuple[str | None, str]:
    """Split "**Title:** text" (or "**Title**: text") into its title and text."""
    if not content.startswith("**"):
        return None, content
    close = content.find("**", 2)
    if close < 0:
        return None, content
    title = collapse(content[2:close]).removesuffix(":").strip()
    if not title:
        raise SheetSyntaxError(line, "list item with an empty bold title")
    rest = content[close + 2 :].strip().removeprefix(":").strip()
    return title, rest


def _blocks(lines: Sequence[Line]) -> list[_Block]:
    blocks: list[_Block] = []
    gap = 0
    current: list[Line] = []
    for line in lines:
        if line.blank and not line.is_code:
            if current:
                blocks.append(_Block(current, gap))
                current, gap = [], 0
            gap += 1
        else:
            current.append(line)
    if current:
        blocks.append(_Block(current, gap))
    return blocks


def _block_text(block: _Block) -> str:
    return join_text(line.text.strip() for line in block.lines)


def _is_question(block: _Block) -> bool:
    """Whether a free-standing paragraph asks something (rather than being prose)."""
    if len(block.lines) > _QUESTION_MAX_LINES:
        return False
    first = block.lines[0]
    if any(opens_block(line) for line in block.lines) or first.text.lstrip().startswith("<"):
        return False
    text = collapse(" ".join(line.text for line in block.lines))
    if len(text) > _QUESTION_MAX_CHARS:
        return False
    if text.endswith("?"):
        return True
    word = _FIRST_WORD.match(text)
    return text.endswith(".") and word is not None and word.group().casefold() in _ASKING_WORDS


def _subject(question: str) -> str:
    """What a free-standing question is about, as a topic title."""
    sentence = _SENTENCE_END.split(question.strip(), maxsplit=1)[0]
    subject = sentence.rstrip(".?!: ")
    previous = None
    while subject != previous:
        previous = subject
        for prefix in _SUBJECT_PREFIXES:
            subject = prefix.sub("", subject, count=1) if prefix.match(subject) else subject
        subject = _SUBJECT_SUFFIX.sub("", subject).strip()
    return subject[:1].upper() + subject[1:]


def parse_interview(lines: Sequence[Line]) -> ParsedSheet:
    return _Reader(lines).read()
