"""The values the question-sheet parser returns, and the one error it raises.

They are plain frozen dataclasses holding tuples so that a parsed document can be compared,
hashed and handed to the importer without any risk of it being changed on the way.
"""

from __future__ import annotations

from dataclasses import dataclass


class SheetSyntaxError(ValueError):
    """A document the importer must refuse, with the 1-based line that shows the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class ParsedTopic:
    slug: str
    title: str
    description: str
    line: int


@dataclass(frozen=True)
class ParsedQuestion:
    topic_slug: str
    slug: str
    title: str
    prompt: str
    answer: str | None  # None: nothing answers it, import it as an unanswered draft
    difficulty: str  # "easy", "medium" or "hard"
    tags: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Pairing:
    """An answer attached to a question by something other than an exact title match."""

    topic_slug: str
    question_title: str
    answer_title: str
    confidence: float  # 0..1
    sure: bool
    question_line: int
    answer_line: int


@dataclass(frozen=True)
class Note:
    """Something the import report should tell the user (an ignored paragraph, a draft...)."""

    line: int
    message: str


@dataclass(frozen=True)
class ParsedSheet:
    topics: tuple[ParsedTopic, ...]
    questions: tuple[ParsedQuestion, ...]
    pairings: tuple[Pairing, ...]
    notes: tuple[Note, ...]
