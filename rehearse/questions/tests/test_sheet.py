"""Tests for the question-sheet parser (pure Python: no Django, no database).

The seed sheet must parse exactly as a person reads it, hand-written and generated documents
in both layouts must round-trip, and malformed documents must be refused at the right line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehearse.questions.sheet import (
    Note,
    ParsedQuestion,
    ParsedSheet,
    SheetSyntaxError,
    parse_sheet,
    slugify_title,
)
from rehearse.questions.tests.sheet_strategies import (
    GenDocument,
    bank_documents,
    sheet_documents,
)

SEED = Path(__file__).resolve().parents[3] / ".." / "shared" / "seed" / "interview-questions.md"

# Generated documents are slow to draw; the machine running the suite is small and shared.
GENERATED = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.is_file():
        pytest.fail(f"the seed sheet is missing: expected it at {SEED.resolve()}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text: str) -> ParsedSheet:
    return parse_sheet(seed_text)


def _by_title(sheet: ParsedSheet) -> dict[str, ParsedQuestion]:
    return {question.title: question for question in sheet.questions}


# The seed sheet ----------------------------------------------------------------------------

# Every answered question of the seed, the title of the answer that belongs to it and a piece
# of text found in that answer only.
SEED_ANSWERS: dict[str, dict[str, tuple[str, str]]] = {
    "recursion": {
        "Factorial Calculation": ("Factorial Calculation", "def factorial(n):"),
        "Fibonacci Series": ("Fibonacci Series", "def fibonacci(n):"),
        "Binary Search": ("Binary Search", "def binary_search(arr, target, low, high):"),
        "String Reversal": ("String Reversal", "def reverse_string(s):"),
        "Tower of Hanoi": ("Tower of Hanoi", "def tower_of_hanoi("),
    },
    "django-rest-api": {
        "Viewsets vs. Views": ("Viewsets vs. Views", "**Viewsets**: Provide CRUD"),
        "Serialization": ("Serialization", "class MyModelSerializer"),
        "Authentication": ("JWT Authentication", "djangorestframework-simplejwt"),
        "Authorization and Permissions": (
            "Authorization and Permissions",
            "permission_classes = [IsAuthenticated]",
        ),
        "Throttling": ("Throttling", "rate = '5/minute'"),
    },
    "authentication-and-authorization": {
        "Difference Between Authentication and Authorization": (
            "Authentication vs. Authorization",
            "Verifies who you are.",
        ),
        "Token-Based Authentication": (
            "Token-Based Authentication",
            "Tokens are issued to clients upon login",
        ),
        "OAuth2": ("OAuth2", "**Authorization Server**: Issues tokens."),
        "Permissions": ("RBAC in Django", "def assign_role(user, role_name):"),
        "User Model Customization": (
            "User Model Customization",
            "class CustomUser(AbstractUser):",
        ),
    },
    "http-vs-https": {
        "Basic Differences": ("HTTP vs. HTTPS", "HTTPS uses SSL/TLS to encrypt data"),
        "SSL/TLS": ("SSL/TLS", "SSL has been succeeded by TLS."),
        "Certificates": ("SSL Certificate", "A digital certificate that authenticates"),
        "HTTP Status Codes": ("HTTP Status Codes", "`404 Not Found`"),
        "CORS (Cross-Origin Resource Sharing)": ("CORS Issues", "django-cors-headers"),
    },
    "tls-ssl": {
        "SSL vs. TLS": ("SSL vs. TLS", "TLS is a more secure and updated version of SSL."),
        "Handshake Process": ("Handshake Process", "agreeing on encryption algorithms"),
        "Certificate Authorities (CAs)": (
            "Certificate Authorities (CAs)",
            "Issue and manage SSL/TLS certificates.",
        ),
        "HTTPS Setup": ("HTTPS Setup with Nginx", "ssl_certificate_key /path/to/private.key;"),
    },
    "deployment-nginx-and-gunicorn": {
        "Gunicorn": ("Gunicorn", "gunicorn myproject.wsgi:application"),
        "Nginx": ("Nginx", "proxy_pass http://127.0.0.1:8000;"),
        "Deployment Steps": ("Deployment Steps", "3. Set up a PostgreSQL database."),
        "Serving Static Files": (
            "Serving Static Files",
            "serve static files directly from a directory",
        ),
        "Load Balancing": (
            "Load Balancing",
            "distribute incoming traffic among multiple Gunicorn instances",
        ),
    },
    "sql-and-acid-properties": {
        "ACID Properties": ("ACID Properties", "**Durability:** Changes are permanent"),
        "Normalization": ("Normalization", "reduce redundancy"),
        "Joins": ("Joins", "**FULL OUTER JOIN:**"),
        "Indexes": ("Indexes", "quick data retrieval"),
        "Transactions": ("Transactions", "-- or ROLLBACK;"),
    },
}
PRACTICE = (
    "Implement a Django REST API with authentication (e.g., JWT)",
    "Write a recursive function to solve a common problem like the Fibonacci sequence",
    "Deploy a simple Django project using Gunicorn and Nginx on a server",
)
FREE_STANDING = "Explain the difference between threading, multiprocessing, and asyncio"
PROSE_LINES = {1, 56, 68, 287}


def test_seed_has_its_topics_in_document_order(seed: ParsedSheet) -> None:
    assert [(t.slug, t.title) for t in seed.topics] == [
        ("recursion", "Recursion"),
        ("django-rest-api", "Django REST API"),
        ("authentication-and-authorization", "Authentication and Authorization"),
        ("http-vs-https", "HTTP vs. HTTPS"),
        ("tls-ssl", "TLS/SSL"),
        ("deployment-nginx-and-gunicorn", "Deployment (Nginx and Gunicorn)"),
        ("sql-and-acid-properties", "SQL and ACID Properties"),
        ("practice-coding-examples", "Practice Coding Examples"),
        ("threading-multiprocessing-and-asyncio", "Threading, multiprocessing, and asyncio"),
    ]
    assert [t.line for t in seed.topics] == [3, 10, 17, 24, 31, 37, 44, 51, 59]
    assert all(t.description == "" for t in seed.topics)


def test_seed_has_38_questions_35_answered(seed: ParsedSheet) -> None:
    assert len(seed.questions) == 38
    assert sum(q.answer is not None for q in seed.questions) == 35
    per_topic = {
        t.slug: [q.title for q in seed.questions if q.topic_slug == t.slug] for t in seed.topics
    }
    for topic_slug, answers in SEED_ANSWERS.items():
        assert per_topic[topic_slug] == list(answers)
    assert per_topic["practice-coding-examples"] == list(PRACTICE)
    assert per_topic["threading-multiprocessing-and-asyncio"] == [FREE_STANDING]
    assert all(q.difficulty == "medium" and q.tags == () for q in seed.questions)


def test_every_seed_question_gets_its_own_answer(seed: ParsedSheet) -> None:
    questions = _by_title(seed)
    answers = [q.answer for q in seed.questions if q.answer is not None]
    for topic_slug, expected in SEED_ANSWERS.items():
        for title, (_, snippet) in expected.items():
            question = questions[title]
            assert question.topic_slug == topic_slug
            assert question.answer is not None
            assert snippet in question.answer, title
            # The snippet is in no other answer, so no answer went to two questions.
            assert sum(snippet in answer for answer in answers) == 1, snippet


def test_seed_pairings_are_exactly_the_non_exact_title_matches(seed: ParsedSheet) -> None:
    expected = {
        (topic_slug, title, answer_title)
        for topic_slug, answers in SEED_ANSWERS.items()
        for title, (answer_title, _) in answers.items()
        if answer_title != title
    }
    assert len(expected) == 7
    assert {(p.topic_slug, p.question_title, p.answer_title) for p in seed.pairings} == expected
    questions = _by_title(seed)
    for pairing in seed.pairings:
        assert pairing.sure, pairing
        assert 0.5 <= pairing.confidence <= 1
        assert pairing.question_line == questions[pairing.question_title].line
        assert pairing.answer_line > pairing.question_line


def test_seed_questions_take_title_and_prompt_from_the_item(seed: ParsedSheet) -> None:
    questions = _by_title(seed)
    certificates = questions["Certificates"]
    assert certificates.slug == "certificates"
    assert certificates.prompt == "What is an SSL certificate, and how is it used in HTTPS?"
    assert certificates.line == 27
    assert questions["CORS (Cross-Origin Resource Sharing)"].slug == (
        "cors-cross-origin-resource-sharing"
    )


def test_seed_answers_keep_their_markdown_dedented(seed: ParsedSheet) -> None:
    questions = _by_title(seed)
    assert questions["Factorial Calculation"].answer == textwrap.dedent(
        """\
        ```python
        def factorial(n):
            if n == 0:
                return 1
            return n * factorial(n - 1)
        ```"""
    )
    # A code block nested in a list item keeps its place under the item.
    assert questions["Authentication"].answer == textwrap.dedent(
        """\
        - Install `djangorestframework-simplejwt`.
        - In `settings.py`:
          ```python
          REST_FRAMEWORK = {
              'DEFAULT_AUTHENTICATION_CLASSES': (
                  'rest_framework_simplejwt.authentication.JWTAuthentication',
              ),
          }
          ```"""
    )
    assert questions["OAuth2"].answer == (
        "A framework that allows third-party applications to access a user's resources without"
        " exposing credentials. Roles:\n"
        "- **Client**: Requests access.\n"
        "- **Resource Server**: Hosts the resources.\n"
        "- **Authorization Server**: Issues tokens."
    )


def test_seed_practice_examples_are_unanswered_and_noted(seed: ParsedSheet) -> None:
    questions = _by_title(seed)
    for line, title in zip((52, 53, 54), PRACTICE, strict=True):
        question = questions[title]
        assert question.topic_slug == "practice-coding-examples"
        assert question.answer is None
        assert question.prompt == title + "."
        assert question.line == line
        assert any(n.line == line and title in n.message for n in seed.notes)


def test_seed_free_standing_question_is_filed_by_its_subject(seed: ParsedSheet) -> None:
    question = _by_title(seed)[FREE_STANDING]
    assert question.topic_slug == "threading-multiprocessing-and-asyncio"
    assert question.slug == "explain-the-difference-between-threading-multiprocessing-and-asyncio"
    assert question.prompt == FREE_STANDING + "."
    assert question.line == 59
    assert question.answer is not None
    assert [line.split(":")[0] for line in question.answer.split("\n")] == [
        "Threading",
        "Multiprocessing",
        "Asyncio",
    ]
    assert any(n.line == 59 and "Threading, multiprocessing" in n.message for n in seed.notes)


def test_seed_prose_is_ignored_and_nothing_else_is_dropped(
    seed: ParsedSheet, seed_text: str
) -> None:
    ignored = {n.line for n in seed.notes if n.message.startswith("ignored text")}
    assert ignored == PROSE_LINES
    corpus = "\n".join(part for q in seed.questions for part in (q.title, q.prompt, q.answer or ""))
    titles = {q.title for q in seed.questions} | {p.answer_title for p in seed.pairings}
    for number, raw in enumerate(seed_text.splitlines(), start=1):
        text = raw.strip()
        if not text or number in PROSE_LINES or re.match(r"#{1,6} ", text) or text in corpus:
            continue
        # An item's own line: its bold title is a question's or was used for pairing, and the
        # text after it is in the question's prompt or answer.
        item = re.fullmatch(r"- (?:\*\*(.+?):?\*\*:?)?\s*(.*)", text)
        assert item is not None, f"line {number} is lost: {text!r}"
        assert item.group(1) in titles | {None}, f"line {number}: unknown title {item[1]!r}"
        assert item.group(2) in corpus, f"line {number} is lost: {text!r}"


def test_seed_parses_the_same_every_time(seed: ParsedSheet, seed_text: str) -> None:
    assert parse_sheet(seed_text) == seed
    # Saved on Windows, it is the same sheet.
    assert parse_sheet(seed_text.replace("\n", "\r\n")) == seed


# The bank layout ---------------------------------------------------------------------------

BANK = """\
Notes for authors: this line is not part of any topic.

# Recursion
<!-- slug: recursion-basics -->

A function that calls itself on a smaller input until a base case stops it.

It is the subject of the katas.

## Factorial
<!-- difficulty: easy; tags: python, input-validation -->

Write a recursive function that computes n!.

### Answer

The textbook version:

```python
# a comment, not a topic
## not a question either
def factorial(n: int) -> int:
    return 1 if n == 0 else n * factorial(n - 1)
```

#### Why it stops

The base case.

## Tail calls
<!-- slug: tail-calls; difficulty: Hard -->

Does Python eliminate tail calls?

# HTTP

## Status codes

Which status code means "created"?

### Answer

201, with a `Location` header.
"""


def test_bank_layout_reads_topics_metadata_and_answers() -> None:
    sheet = parse_sheet(BANK)
    recursion, http = sheet.topics
    assert (recursion.slug, recursion.title, recursion.line) == ("recursion-basics", "Recursion", 3)
    assert recursion.description == (
        "A function that calls itself on a smaller input until a base case stops it.\n"
        "\n"
        "It is the subject of the katas."
    )
    assert (http.slug, http.title, http.description) == ("http", "HTTP", "")

    factorial, tail_calls, status = sheet.questions
    assert factorial == ParsedQuestion(
        topic_slug="recursion-basics",
        slug="factorial",
        title="Factorial",
        prompt="Write a recursive function that computes n!.",
        answer=(
            "The textbook version:\n"
            "\n"
            "```python\n"
            "# a comment, not a topic\n"
            "## not a question either\n"
            "def factorial(n: int) -> int:\n"
            "    return 1 if n == 0 else n * factorial(n - 1)\n"
            "```\n"
            "\n"
            "#### Why it stops\n"
            "\n"
            "The base case."
        ),
        difficulty="easy",
        tags=("python", "input-validation"),
        line=10,
    )
    assert tail_calls == ParsedQuestion(
        topic_slug="recursion-basics",
        slug="tail-calls",
        title="Tail calls",
        prompt="Does Python eliminate tail calls?",
        answer=None,
        difficulty="hard",
        tags=(),
        line=30,
    )
    assert (status.topic_slug, status.slug, status.difficulty) == ("http", "status-codes", "medium")
    assert status.answer == "201, with a `Location` header."
    assert sheet.pairings == ()
    assert sheet.notes == (
        Note(1, "text before the first topic heading is ignored"),
        Note(30, "question 'Tail calls' has no answer; it is imported as an unanswered draft"),
    )


# Generated documents -----------------------------------------------------------------------


def _assert_parses_to_what_was_generated(document: GenDocument) -> ParsedSheet:
    sheet = parse_sheet(document.text)
    assert [(t.slug, t.title, t.description) for t in sheet.topics] == [
        (t.expected_slug, t.title, t.description) for t in document.topics
    ]
    assert [
        (q.topic_slug, q.slug, q.title, q.prompt, q.answer, q.difficulty, q.tags)
        for q in sheet.questions
    ] == [
        (
            topic.expected_slug,
            question.expected_slug,
            question.title,
            question.prompt,
            question.answer,
            question.expected_difficulty,
            question.tags,
        )
        for topic in document.topics
        for question in topic.questions
    ]
    return sheet


@GENERATED
@given(bank_documents())
def test_generated_bank_documents_round_trip(document: GenDocument) -> None:
    _assert_parses_to_what_was_generated(document)


@GENERATED
@given(sheet_documents())
def test_generated_sheets_put_every_answer_on_its_question(document: GenDocument) -> None:
    sheet = _assert_parses_to_what_was_generated(document)
    # Answers carry their question's title (in another case at most): no guessing was needed.
    assert sheet.pairings == ()


# Pairing as a reader would -----------------------------------------------------------------


def test_answers_that_fit_no_question_are_reported_not_attached() -> None:
    sheet = parse_sheet(
        textwrap.dedent(
            """\
            ### Caching
            - **Redis:** Why keep the cache in Redis?
            - **Keys:** How do you version cache keys?

            ### Caching
            - **Cache keys:** Put a version in every key.
            - **Pottery:** Wheel-thrown, glazed.
            - **Redis:** Workers share it.
            """
        )
    )
    answers = {q.title: q.answer for q in sheet.questions}
    assert answers == {"Redis": "Workers share it.", "Keys": "Put a version in every key."}
    assert [(p.question_title, p.answer_title) for p in sheet.pairings] == [("Keys", "Cache keys")]
    assert any(n.line == 7 and "'Pottery' matches no question" in n.message for n in sheet.notes)


def test_best_pairs_are_taken_across_the_topic_not_first_come() -> None:
    # "SSL Certificate" mentions SSL, like the first question, but fits the second better.
    sheet = parse_sheet(
        textwrap.dedent(
            """\
            ### TLS
            - **SSL/TLS:** How does SSL encrypt traffic?
            - **Certificates:** What is an SSL certificate?

            ### TLS
            - **SSL Certificate:** A signed public key.
            - **Encryption:** Symmetric keys after the handshake.
            """
        )
    )
    answers = {q.title: q.answer for q in sheet.questions}
    assert answers == {
        "SSL/TLS": "Symmetric keys after the handshake.",
        "Certificates": "A signed public key.",
    }
    by_answer = {p.answer_title: p for p in sheet.pairings}
    assert by_answer["SSL Certificate"].sure
    # "Encryption" shares no word with what is left: paired by position, flagged for a person.
    assert not by_answer["Encryption"].sure


def test_leftovers_are_paired_by_position_and_flagged() -> None:
    sheet = parse_sheet(
        textwrap.dedent(
            """\
            ## Queues
            - **First:** Name a broker.
            - **Second:** Name a protocol.

            ## Queues
            - **Alpha:** RabbitMQ.
            - **Beta:** AMQP.
            """
        )
    )
    assert [q.answer for q in sheet.questions] == ["RabbitMQ.", "AMQP."]
    assert [(p.answer_title, p.sure) for p in sheet.pairings] == [("Alpha", False), ("Beta", False)]
    assert sum("only by its position" in n.message for n in sheet.notes) == 2


def test_a_close_call_is_not_sure_and_neither_is_what_follows_from_it() -> None:
    sheet = parse_sheet(
        textwrap.dedent(
            """\
            ### Databases
            - **Indexes:** What are indexes for?
            - **Index types:** Which index types exist?

            ### Databases
            - **Index basics:** Faster reads.
            - **Index kinds:** B-tree, hash, GIN.
            """
        )
    )
    assert [(p.question_title, p.answer_title, p.sure) for p in sheet.pairings] == [
        ("Indexes", "Index basics", False),
        ("Index types", "Index kinds", False),
    ]


def test_sheet_items_keep_wrapped_lines_and_nested_content() -> None:
    sheet = parse_sheet(
        textwrap.dedent(
            """\
            ### Practice
            - **Long:** A prompt wrapped
            onto a second line.
            - Write a parser.
              - Keep line numbers.
            """
        )
    )
    wrapped, untitled = sheet.questions
    assert wrapped.prompt == "A prompt wrapped\nonto a second line."
    assert (untitled.title, untitled.line) == ("Write a parser", 4)
    assert untitled.prompt == "Write a parser.\n- Keep line numbers."


def test_a_question_nothing_answers_is_noted_not_imported() -> None:
    sheet = parse_sheet("### Caching\n- **Redis:** Why?\n\nWant more practice questions?\n")
    assert [q.title for q in sheet.questions] == ["Redis"]
    assert any(n.line == 4 and "no answer follows" in n.message for n in sheet.notes)


# Slugs and titles --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Recursion", "recursion"),
        ("HTTP vs. HTTPS", "http-vs-https"),
        ("TLS/SSL", "tls-ssl"),
        ("Deployment (Nginx and Gunicorn)", "deployment-nginx-and-gunicorn"),
        ("Practice Coding Examples", "practice-coding-examples"),
        ("Café au lait, straße", "cafe-au-lait-strasse"),
        ("Don't repeat the user's work", "dont-repeat-the-users-work"),
        ("", ""),
    ],
)
def test_slugify_title(title: str, slug: str) -> None:
    assert slugify_title(title) == slug


def test_slugify_title_cuts_at_a_word_boundary() -> None:
    slug = slugify_title("word " * 30)
    assert len(slug) <= 80
    assert slug == "-".join(["word"] * 16)
    assert slugify_title("x" * 100) == "x" * 80


def test_slugify_title_gives_a_title_without_ascii_letters_a_stable_key() -> None:
    assert slugify_title("Что такое GIL?") == "gil"
    assert re.fullmatch(r"t-[0-9a-f]{12}", slugify_title("日本語"))
    assert slugify_title("日本語") == slugify_title("日本語")
    assert slugify_title("日本語") != slugify_title("中文")


@given(st.text())
def test_slugify_title_is_always_a_short_ascii_slug(title: str) -> None:
    slug = slugify_title(title)
    assert len(slug) <= 80
    assert re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", slug)
    assert bool(slug) == bool(title.strip())


@pytest.mark.parametrize(
    ("heading", "title", "slug"),
    [
        ("### 1. **Recursion**", "Recursion", "recursion"),
        ("### 4. **HTTP vs. HTTPS**", "HTTP vs. HTTPS", "http-vs-https"),
        ("### 5. **TLS/SSL**", "TLS/SSL", "tls-ssl"),
        ("### Practice Coding Examples:", "Practice Coding Examples", "practice-coding-examples"),
        ("## **Caching**:", "Caching", "caching"),
    ],
)
def test_sheet_topic_headings_lose_numbering_bold_and_colon(
    heading: str, title: str, slug: str
) -> None:
    (topic,) = parse_sheet(f"{heading}\n- **Question:** Why?\n").topics
    assert (topic.title, topic.slug) == (title, slug)


# Malformed documents -----------------------------------------------------------------------

MALFORMED = {
    "unclosed fence, bank": (
        "# Topic\n\n## Question\n\nPrompt.\n\n### Answer\n\n```python\nx = 1\n",
        9,
        "never closed",
    ),
    "unclosed fence, sheet": (
        "### Topic\n- **Q:** Why?\n\n### Topic\n- **Q:**\n  ~~~\n  x\n  ```\n",
        6,
        "never closed",
    ),
    "empty question title": ("# Topic\n\n## Fine\n\n##   \n\nPrompt.\n", 5, "without a title"),
    "empty question title, closing hashes": ("# Topic\n\n## ##\n", 3, "without a title"),
    "empty topic title": ("#\n\n## Question\n", 1, "without a title"),
    "empty bold title in a sheet": ("### Topic\n- **Q:** a\n- ** :** b\n", 3, "empty bold title"),
    "duplicate question slug": (
        "# Topic\n\n## HTTP vs. HTTPS\n\n## http vs https!\n",
        5,
        "'http-vs-https' is already used",
    ),
    "duplicate question slug, explicit": (
        "# Topic\n\n## One\n<!-- slug: same -->\n\n## Two\n<!-- slug: same -->\n",
        6,
        "'same' is already used",
    ),
    "duplicate question slug, sheet": (
        "### Topic\n- **Joins:** a\n- **JOINS:** b\n",
        3,
        "'joins' is already used",
    ),
    "duplicate topic slug": ("# HTTP\n\n## A\n\n# http\n\n## B\n", 5, "already used by the topic"),
    "unknown metadata key": (
        "# Topic\n\n## Question\n<!-- difficulty: easy; level: 3 -->\n",
        4,
        "unknown metadata key 'level'",
    ),
    "unknown topic metadata key": (
        "# Topic\n<!-- tags: x -->\n\n## Question\n",
        2,
        "unknown metadata key 'tags'",
    ),
    "metadata entry without a colon": ("# T\n\n## Q\n<!-- easy -->\n", 4, "'key: value'"),
    "invalid difficulty": (
        "# Topic\n\n## Question\n\n<!-- difficulty: extreme -->\n",
        5,
        "invalid difficulty 'extreme'",
    ),
    "invalid slug": ("# Topic\n\n## Question\n<!-- slug: Not A Slug -->\n", 4, "invalid slug"),
    "question before any topic": (
        "Intro.\n\n## Question\n\n# Topic\n\n## Another\n",
        3,
        "question before any topic",
    ),
    "answer before any question": ("# Topic\n\n### Answer\n\nText.\n", 3, "before any question"),
    "second answer heading": (
        "# T\n\n## Q\n\n### Answer\n\nA.\n\n### Answer\n\nB.\n",
        9,
        "a second time",
    ),
    "no questions, bank": ("# Topic\n\nJust a description.\n", 1, "no questions"),
    "no questions, prose": ("Hello.\n\nNothing to ask here.\n", 1, "no questions"),
    "no questions, empty": ("", 1, "no questions"),
    "topic heading a third time": (
        "### 1. **Caching**\n- **Redis:** Why?\n\n### Caching\n- **Redis:** Speed.\n\n"
        "Prose.\n\n### Caching:\n- **Redis:** Again.\n",
        9,
        "appears a third time",
    ),
}


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_documents_are_refused_at_the_right_line(
    text: str, line: int, message: str
) -> None:
    with pytest.raises(SheetSyntaxError) as caught:
        parse_sheet(text)
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value) == f"line {line}: {caught.value.message}"


# Fragments that make documents near the edges of both layouts.
FRAGMENTS = st.sampled_from(
    [
        "# Topic",
        "## Question",
        "### Answer",
        "### 1. **Topic**",
        "#",
        "```",
        "~~~~",
        "- **Title:** prompt",
        "   - **Title:**",
        "     nested",
        "- item",
        "* * *",
        "<!-- slug: a; difficulty: easy; tags: x -->",
        "<!-- nope -->",
        "Explain the difference between a and b.",
        "Why?",
        "Prose:",
        "",
        "\t- tabbed",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(FRAGMENTS, st.text()), max_size=25).map("\n".join)))
def test_any_text_parses_or_is_refused_with_a_line(text: str) -> None:
    # Anything but SheetSyntaxError escapes and fails the test.
    refused: SheetSyntaxError | None = None
    try:
        sheet = parse_sheet(text)
    except SheetSyntaxError as error:
        refused = error
    if refused is not None:
        assert 1 <= refused.line <= max(1, text.count("\n") + text.count("\r") + 1)
        return
    assert sheet.questions
    assert parse_sheet(text) == sheet


def test_parsing_does_not_depend_on_the_hash_seed(seed_text: str) -> None:
    # Sets of words drive the pairing; their order must never leak into the result.
    script = (
        "import sys; from rehearse.questions.sheet import parse_sheet; "
        "print(repr(parse_sheet(sys.stdin.read())))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            input=seed_text,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            cwd=Path(__file__).resolve().parents[3],
        ).stdout
        for hash_seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_the_parser_imports_nothing_from_django() -> None:
    # The parser must stay usable (and testable) without settings or a database.
    script = (
        "import sys, rehearse.questions.sheet; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.stdout.strip() == "[]"
