"""``rehearse import-questions FILE...``: import interview sheets into the bank.

Every file is parsed before anything is written; one malformed file (or two files
defining the same question) stops the import with the line named, and the database
is left as it was. The report lists what was created, updated and left unchanged,
every answer paired by judgement rather than by title, and every question that has
no answer.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rehearse.questions.services import (
    DuplicateQuestion,
    ImportReport,
    SheetDocument,
    questions_import,
)
from rehearse.questions.sheet import SheetSyntaxError, parse_sheet

MAX_FILE_BYTES = 5 * 1024 * 1024


def source_name(path: Path) -> str:
    """Name a document the same way whatever directory the command runs from."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(resolved)


class Command(BaseCommand):
    help = "Import interview questions from Markdown sheets (see docs/question-format.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        documents = [self._read(path) for path in options["files"]]
        show_progress = self.stderr.isatty() or options["verbosity"] >= 2

        def progress(done: int, total: int) -> None:
            if show_progress:
                self.stderr.write(f"\rimporting {done}/{total} questions", ending="")
                if done == total:
                    self.stderr.write("")

        try:
            report = questions_import(documents=documents, progress=progress)
        except DuplicateQuestion as exc:
            raise CommandError(str(exc)) from exc
        self._print(report)

    def _read(self, path: Path) -> SheetDocument:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB.")
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason}).") from exc
        try:
            sheet = parse_sheet(text)
        except SheetSyntaxError as exc:
            raise CommandError(f"{path}:{exc.line}: {exc.message}") from exc
        return SheetDocument(name=source_name(path), text=text, sheet=sheet)

    def _print(self, report: ImportReport) -> None:
        out = self.stdout
        out.write(
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{report.unchanged} unchanged"
        )
        for label in report.updated:
            out.write(f"  updated {label}")
        if report.kept:
            out.write(f"{len(report.kept)} kept as another document defines them:")
            for label in report.kept:
                out.write(f"  {label}")
        if report.pairings:
            out.write("Answers paired by judgement, not by identical title:")
            for name, pairing in report.pairings:
                flag = "" if pairing.sure else "  <- UNSURE, please check"
                out.write(
                    f"  {name}:{pairing.answer_line}: {pairing.answer_title!r} answers "
                    f"{pairing.question_title!r} (line {pairing.question_line}, "
                    f"confidence {pairing.confidence:.2f}){flag}"
                )
        if report.unanswered:
            out.write("Unanswered, imported as drafts:")
            for label in report.unanswered:
                out.write(f"  {label}")
        for name, note in report.notes:
            out.write(f"note: {name}:{note.line}: {note.message}")
        sys.stdout.flush()
