"""Export formats: a learner's data as JSON, a deck of questions for Anki (.apkg or CSV).

The JSON export streams: a learner with a million reviews gets them without the
server holding them all in memory. Decks carry a stable GUID per question, so
importing a newer export into Anki updates the notes instead of duplicating them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import genanki
from django.core.serializers.json import DjangoJSONEncoder

from rehearse.core.markdown import render_markdown
from rehearse.practice.models import CardState, Interview, Rating
from rehearse.questions.models import Difficulty, Question

# Fixed ids: Anki recognises the note type and the decks across exports.
ANKI_MODEL_ID = 1_607_392_319
ANKI_DECK_BASE_ID = 1_845_000_000
GUID_NAMESPACE = "rehearse-question"

ANKI_MODEL = genanki.Model(
    ANKI_MODEL_ID,
    "rehearse question",
    fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Topic"}, {"name": "Difficulty"}],
    templates=[
        {
            "name": "Recall",
            "qfmt": '<div class="topic">{{Topic}} · {{Difficulty}}</div>{{Question}}',
            "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
        }
    ],
    css=".card { font-family: sans-serif; text-align: left; } .topic { color: #666; }",
)


def html(text: str) -> str:
    """Markdown as sanitised HTML: Anki renders fields as HTML."""
    return render_markdown(text)


def question_guid(question: Question) -> str:
    return str(genanki.guid_for(GUID_NAMESPACE, question.pk))


def _note_fields(question: Question) -> list[str]:
    return [
        html(f"**{question.title}**\n\n{question.prompt}"),
        html(question.answer),
        question.topic.title,
        Difficulty(question.difficulty).label,
    ]


def _tags(question: Question) -> list[str]:
    return [question.topic.slug, *(tag.slug for tag in question.tags.all())]


def anki_package(questions: Iterable[Question], *, at: dt.datetime) -> bytes:
    """An Anki package: one sub-deck per topic under "rehearse", one note per question.

    genanki's own ``write_to_file`` leaves its temporary database behind, so the
    package is assembled here from its ``write_to_db`` in a directory that goes away.
    """
    decks: dict[int, genanki.Deck] = {}
    for question in questions:
        deck = decks.get(question.topic_id)
        if deck is None:
            deck = decks[question.topic_id] = genanki.Deck(
                ANKI_DECK_BASE_ID + question.topic_id, f"rehearse::{question.topic.title}"
            )
        deck.add_note(
            genanki.Note(
                model=ANKI_MODEL,
                fields=_note_fields(question),
                tags=_tags(question),
                guid=question_guid(question),
            )
        )
    package = genanki.Package(list(decks.values()))
    timestamp = at.timestamp()
    with tempfile.TemporaryDirectory(prefix="rehearse-apkg-") as directory:
        database = Path(directory) / "collection.anki2"
        connection = sqlite3.connect(database)
        try:
            package.write_to_db(
                connection.cursor(), timestamp, itertools.count(int(timestamp * 1000))
            )
            connection.commit()
        finally:
            connection.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(database, "collection.anki2")
            archive.writestr("media", "{}")
    return buffer.getvalue()


def anki_csv(questions: Iterable[Question]) -> str:
    """CSV that Anki (2.1.55+) imports as is: its header lines name the columns."""
    buffer = io.StringIO()
    buffer.write(
        "#separator:Comma\n#html:true\n#notetype:Basic\n"
        "#columns:GUID,Front,Back,Deck,Tags\n"
        "#guid column:1\n#deck column:4\n#tags column:5\n"
    )
    writer = csv.writer(buffer, lineterminator="\n")
    for question in questions:
        front, back, topic, difficulty = _note_fields(question)
        writer.writerow(
            [
                question_guid(question),
                f'<div class="topic">{topic} · {difficulty}</div>{front}',
                back,
                f"rehearse::{topic}",
                " ".join(_tags(question)),
            ]
        )
    return buffer.getvalue()


# -- the learner's data as JSON ------------------------------------------------------

_ENCODER = DjangoJSONEncoder(ensure_ascii=False)


def _card(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row, "state": CardState(row["state"]).label}


def _review(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "rating": Rating(row["rating"]).label,
        "state": CardState(row["state"]).label,
    }


def _interview(interview: Interview) -> dict[str, Any]:
    return {
        "id": interview.pk,
        "status": interview.status,
        "topics": [topic.slug for topic in interview.topics.all()],
        "difficulties": [Difficulty(value).label for value in interview.difficulties],
        "started_at": interview.started_at,
        "deadline": interview.deadline,
        "closed_at": interview.closed_at,
        "score": interview.score,
        "items": [
            {
                "position": item.position,
                "question_id": item.question_id,
                "answer": item.answer,
                "self_grade": item.self_grade,
                "answered_at": item.answered_at,
            }
            for item in interview.items.all()
        ],
    }


def _array(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + _ENCODER.encode(row)
    yield "]"


def learner_json(
    *,
    header: dict[str, Any],
    cards: Iterator[Mapping[str, Any]],
    reviews: Iterator[Mapping[str, Any]],
    interviews: Iterator[Interview],
) -> Iterator[str]:
    """One JSON document, produced piece by piece: header fields, then three arrays."""
    yield _ENCODER.encode(header)[:-1]
    yield ',"cards":'
    yield from _array(_card(row) for row in cards)
    yield ',"reviews":'
    yield from _array(_review(row) for row in reviews)
    yield ',"interviews":'
    yield from _array(_interview(interview) for interview in interviews)
    yield "}"
