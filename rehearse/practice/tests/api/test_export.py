"""Exports: the learner's data as JSON; their questions as an Anki package or CSV."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.practice import services
from rehearse.practice.models import Rating
from rehearse.practice.tests.factories import CardFactory, InterviewFactory
from rehearse.questions.tests.factories import QuestionFactory, TagFactory, TopicFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/practice/export"


def test_json_export_holds_cards_reviews_and_interviews(
    api: APIClient, learner: User, outsider: User
) -> None:
    card = CardFactory.create(user=learner)
    services.review_record(card=card, user=learner, rating=Rating.HARD, duration_ms=1234)
    InterviewFactory.create(user=learner, questions=[card.question])
    CardFactory.create(user=outsider)
    response = api.get(f"{BASE}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    document = json.loads(b"".join(response.streaming_content))
    assert document["format"] == "rehearse-practice/1"
    assert [c["id"] for c in document["cards"]] == [card.pk]
    assert document["cards"][0]["topic"] == card.question.topic.slug
    [review] = document["reviews"]
    assert (review["card_id"], review["rating"], review["duration_ms"]) == (card.pk, "hard", 1234)
    [interview] = document["interviews"]
    assert interview["items"][0]["question_id"] == card.question_id


def test_an_empty_export_is_still_valid_json(api: APIClient) -> None:
    document = json.loads(b"".join(api.get(f"{BASE}/").streaming_content))
    assert (document["cards"], document["reviews"], document["interviews"]) == ([], [], [])


@pytest.fixture
def deck(learner: User, outsider: User) -> None:
    sql = TopicFactory.create(slug="sql", title="SQL")
    http = TopicFactory.create(slug="http", title="HTTP")
    CardFactory.create(
        user=learner,
        question=QuestionFactory.create(
            topic=sql,
            title="Joins",
            prompt="Explain a *join*.",
            answer="Rows, `matched`.",
            tags=[TagFactory.create(slug="joins")],
        ),
    )
    CardFactory.create(
        user=learner, question=QuestionFactory.create(topic=http, title="Status codes")
    )
    CardFactory.create(user=outsider, question=QuestionFactory.create(topic=sql, title="Not mine"))


@pytest.mark.usefixtures("deck")
def test_anki_package_has_one_note_per_card_in_topic_decks(api: APIClient) -> None:
    response = api.get(f"{BASE}/deck.apkg")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/apkg"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert set(archive.namelist()) == {"collection.anki2", "media"}
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "collection.anki2"
            path.write_bytes(archive.read("collection.anki2"))
            database = sqlite3.connect(path)
            notes = database.execute("SELECT flds, tags FROM notes ORDER BY id").fetchall()
            decks = json.loads(database.execute("SELECT decks FROM col").fetchone()[0])
            database.close()
    assert len(notes) == 2
    [(joins, tags)] = [(flds.split("\x1f"), tags) for flds, tags in notes if "Joins" in flds]
    assert "<em>join</em>" in joins[0]
    assert "<code>matched</code>" in joins[1]
    assert tags.split() == ["sql", "joins"]
    assert {"rehearse::SQL", "rehearse::HTTP"} <= {deck["name"] for deck in decks.values()}


@pytest.mark.usefixtures("deck")
def test_anki_csv_with_import_headers_filtered_by_topic(api: APIClient) -> None:
    response = api.get(f"{BASE}/deck.csv", {"topic": "sql"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    headers = [line for line in text.splitlines() if line.startswith("#")]
    assert "#separator:Comma" in headers
    assert "#html:true" in headers
    rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    assert len(rows) == 1
    guid, front, _back, deck_name, tags = rows[0]
    assert "Joins" in front
    assert deck_name == "rehearse::SQL"
    assert tags.split() == ["sql", "joins"]
    assert guid


def test_deck_with_a_bad_topic_parameter_is_a_400(api: APIClient) -> None:
    response = api.get(f"{BASE}/deck.csv", {"topic": "not a slug!"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
