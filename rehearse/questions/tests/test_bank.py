"""The bundled bank in content/: complete, answered, and pointing at real code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rehearse.questions.sheet import ParsedQuestion, parse_sheet

ROOT = Path(__file__).resolve().parents[3]
FILES = sorted((ROOT / "content").glob("*.md"))
SEE_IT = re.compile(r"^See it in rehearse:(.*)$", re.MULTILINE)
PATH = re.compile(r"`([^`]+)`")

# Every topic of the interview sheet rehearse grew from.
SEED_TOPICS = {
    "recursion",
    "django-rest-api",
    "authentication-and-authorization",
    "http-vs-https",
    "tls-ssl",
    "deployment-nginx-and-gunicorn",
    "sql-and-acid-properties",
    "threading-multiprocessing-and-asyncio",
}


def bank() -> list[ParsedQuestion]:
    return [q for path in FILES for q in parse_sheet(path.read_text(encoding="utf-8")).questions]


def test_the_bank_covers_every_seed_topic_with_at_least_60_questions() -> None:
    questions = bank()
    assert len(questions) >= 60
    assert {q.topic_slug for q in questions} == SEED_TOPICS


def test_every_bank_question_is_answered() -> None:
    unanswered = [f"{q.topic_slug}/{q.slug}" for q in bank() if not (q.answer or "").strip()]
    assert unanswered == []


def test_every_see_it_in_rehearse_path_exists() -> None:
    referenced: list[tuple[str, str]] = []
    for question in bank():
        for line in SEE_IT.findall(question.answer or ""):
            paths = PATH.findall(line)
            assert paths, f"{question.slug}: 'See it in rehearse:' names no path"
            referenced += [(question.slug, path) for path in paths]
    assert referenced, "no answer points at rehearse's own code"
    missing = [(slug, path) for slug, path in referenced if not (ROOT / path).exists()]
    assert missing == []


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_each_bank_file_parses_without_notes(path: Path) -> None:
    sheet = parse_sheet(path.read_text(encoding="utf-8"))
    assert sheet.notes == ()
