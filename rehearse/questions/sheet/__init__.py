"""Parse question sheets: Markdown documents holding topics, questions and their answers.

This is the pure half of the question importer. It turns a document's text into frozen
values (`ParsedSheet`) and never touches the database, so it is tested without Django and
the importer can refuse a bad document before writing anything. docs/question-format.md
specifies the two layouts it reads: the bank layout of rehearse's own `content/` files and
the sheet layout of interview sheets such as shared/seed/interview-questions.md.
"""

from __future__ import annotations

from rehearse.questions.sheet.bank import looks_like_bank, parse_bank
from rehearse.questions.sheet.interview import parse_interview
from rehearse.questions.sheet.lines import split_lines
from rehearse.questions.sheet.parsed import (
    Note,
    Pairing,
    ParsedQuestion,
    ParsedSheet,
    ParsedTopic,
    SheetSyntaxError,
)
from rehearse.questions.sheet.words import slugify_title

__all__ = [
    "Note",
    "Pairing",
    "ParsedQuestion",
    "ParsedSheet",
    "ParsedTopic",
    "SheetSyntaxError",
    "parse_sheet",
    "slugify_title",
]


def parse_sheet(text: str) -> ParsedSheet:
    """Parse a document in either layout; raise SheetSyntaxError if it must be refused."""
    lines = split_lines(text)
    sheet = parse_bank(lines) if looks_like_bank(lines) else parse_interview(lines)
    if not sheet.questions:
        raise SheetSyntaxError(1, "the document contains no questions")
    return sheet
