"""Hypothesis strategies that build question documents together with what they must parse to.

Each strategy draws a structure (topics, questions, answers) and renders it to Markdown in
the bank or the sheet layout, so a test can parse the text and compare the result with the
structure it came from. Titles mix punctuation and non-ASCII letters; answers mix
paragraphs, nested lists and fenced code whose lines look like headings and list items.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import assume
from hypothesis import strategies as st

from rehearse.questions.sheet import slugify_title
from rehearse.questions.sheet.words import normalize_title

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + "éüßçΩжЖ日本"
DIGITS = "0123456789"
# Lines that would be structure if they were not inside a code fence.
CODE_LINES = (
    "# not a topic",
    "## Not a question",
    "### Answer",
    "#### Deeper",
    "### 1. **Recursion**",
    "- **Fake:** not an item",
    "   - **Indented:** item",
    "<!-- slug: nope; difficulty: impossible -->",
    "def f(x):",
    "    return x  # done",
    "\tif tabbed:",
    "",
    "Explain the difference between a and b.",
)
# Prose a sheet surrounds its sections with; none of it reads as a question.
PROSE = (
    "To help you prepare, here are some questions:",
    "Good luck with your interview!",
    "These should get you started.",
    "Certainly! Here is more:",
)
SUBJECT_WORDS = ("threads", "processes", "coroutines", "queues", "locks", "sockets", "caches")


@dataclass(frozen=True)
class GenQuestion:
    title: str
    prompt: str
    answer: str | None
    slug: str | None = None  # written in a metadata comment (bank layout)
    difficulty: str | None = None  # as written in the metadata comment; None: not written
    tags: tuple[str, ...] = ()
    titled: bool = True  # sheet layout: False for an item without a bold title

    @property
    def expected_slug(self) -> str:
        return self.slug or slugify_title(self.title)

    @property
    def expected_difficulty(self) -> str:
        return (self.difficulty or "medium").lower()


@dataclass(frozen=True)
class GenTopic:
    title: str
    description: str
    questions: tuple[GenQuestion, ...]
    slug: str | None = None

    @property
    def expected_slug(self) -> str:
        return self.slug or slugify_title(self.title)


@dataclass(frozen=True)
class GenDocument:
    text: str
    topics: tuple[GenTopic, ...]


word = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(LETTERS),
    st.text(alphabet=LETTERS + DIGITS, max_size=7),
)
# A token is a word with the punctuation people put around words in titles.
token = st.builds(
    lambda before, core, after: before + core + after,
    st.sampled_from(["", "", "", "("]),
    word,
    st.sampled_from(["", "", "", ".", ",", "?", "!", ")", "'s", "/api", "-based", " &", " +"]),
)
title = (
    st.lists(token, min_size=1, max_size=6)
    .map(" ".join)
    .filter(lambda text: normalize_title(text) != "answer")
)
line_text = st.lists(token, min_size=1, max_size=8).map(" ".join)
slug = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
tag = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    return "\n".join(draw(st.lists(line_text, min_size=1, max_size=3)))


@st.composite
def code_block(draw: st.DrawFn) -> str:
    fence = draw(st.sampled_from(["```", "~~~", "````"]))
    info = draw(st.sampled_from(["", "python", "nginx"]))
    lines = draw(st.lists(st.one_of(st.sampled_from(CODE_LINES), line_text), max_size=5))
    if fence != "```":
        # Inside a longer or a tilde fence, a bare ``` line is code too.
        lines += draw(st.lists(st.just("```"), max_size=1))
    return "\n".join([fence + info, *lines, fence])


@st.composite
def nested_list(draw: st.DrawFn) -> str:
    ordered = draw(st.booleans())
    out = []
    for number, text in enumerate(draw(st.lists(line_text, min_size=1, max_size=3)), start=1):
        out.append(f"{number}. {text}" if ordered else f"- {text}")
        for sub in draw(st.lists(line_text, max_size=2)):
            out.append(f"   - {sub}" if ordered else f"  - {sub}")
    return "\n".join(out)


block = st.one_of(
    paragraph(),
    code_block(),
    nested_list(),
    line_text.map(lambda text: f"#### {text}"),
)
# Markdown text made of blocks, as an answer, a prompt or a description is.
markdown = st.lists(block, min_size=1, max_size=4).map("\n\n".join)


def _unique_by(items: list[GenQuestion]) -> bool:
    slugs = [item.expected_slug for item in items]
    titles = [normalize_title(item.title) for item in items]
    return len(set(slugs)) == len(slugs) and len(set(titles)) == len(titles)


# Bank layout -------------------------------------------------------------------------------


@st.composite
def bank_question(draw: st.DrawFn) -> GenQuestion:
    return GenQuestion(
        title=draw(title),
        prompt=draw(st.one_of(st.just(""), markdown)),
        answer=draw(st.one_of(st.none(), markdown)),
        slug=draw(st.one_of(st.none(), slug)),
        difficulty=draw(st.sampled_from([None, "easy", "medium", "hard", "Hard"])),
        tags=tuple(draw(st.lists(tag, max_size=3, unique=True))),
    )


@st.composite
def bank_topic(draw: st.DrawFn) -> GenTopic:
    questions = draw(st.lists(bank_question(), min_size=1, max_size=4))
    assume(len({q.expected_slug for q in questions}) == len(questions))
    return GenTopic(
        title=draw(title),
        description=draw(st.one_of(st.just(""), markdown)),
        questions=tuple(questions),
        slug=draw(st.one_of(st.none(), slug)),
    )


def _bank_metadata(question: GenQuestion) -> str | None:
    entries = []
    if question.slug:
        entries.append(f"slug: {question.slug}")
    if question.difficulty:
        entries.append(f"difficulty: {question.difficulty}")
    if question.tags:
        entries.append(f"tags: {', '.join(question.tags)}")
    if not entries:
        return None
    return "<!-- " + "; ".join(entries) + " -->"


def render_bank(topics: list[GenTopic]) -> str:
    parts: list[str] = []
    for topic in topics:
        parts.append(f"# {topic.title}")
        if topic.slug:
            parts.append(f"<!-- slug: {topic.slug} -->")
        parts.append("")
        if topic.description:
            parts += [topic.description, ""]
        for question in topic.questions:
            parts.append(f"## {question.title}")
            metadata = _bank_metadata(question)
            if metadata:
                parts.append(metadata)
            parts.append("")
            if question.prompt:
                parts += [question.prompt, ""]
            if question.answer is not None:
                parts += ["### Answer", "", question.answer, ""]
    return "\n".join(parts)


@st.composite
def bank_documents(draw: st.DrawFn) -> GenDocument:
    topics = draw(st.lists(bank_topic(), min_size=1, max_size=3))
    assume(len({t.expected_slug for t in topics}) == len(topics))
    return GenDocument(render_bank(topics), tuple(topics))


# Sheet layout ------------------------------------------------------------------------------


@st.composite
def sheet_question(draw: st.DrawFn) -> GenQuestion:
    if draw(st.integers(0, 4)) == 0:
        # An item without a bold title, such as a practice exercise: never answered.
        text = draw(line_text) + "."
        return GenQuestion(
            title=" ".join(text.split()).removesuffix(".").strip(),
            prompt=text,
            answer=None,
            titled=False,
        )
    return GenQuestion(
        title=draw(title),
        prompt=draw(line_text),
        answer=draw(st.one_of(st.none(), markdown, markdown, markdown)),
    )


@st.composite
def sheet_topic(draw: st.DrawFn) -> GenTopic:
    questions = draw(st.lists(sheet_question(), min_size=1, max_size=5))
    assume(_unique_by(questions))
    return GenTopic(
        title=draw(title),
        description=draw(st.one_of(st.just(""), line_text)),
        questions=tuple(questions),
    )


def _sheet_heading(draw: st.DrawFn, number: int, topic_title: str) -> str:
    hashes = "#" * draw(st.integers(2, 4))
    style = draw(st.sampled_from(["{n}. **{t}**", "**{t}**", "{t}", "{t}:", "{n}) {t}"]))
    return f"{hashes} " + style.format(n=number, t=topic_title)


def _indented(text: str, width: int) -> list[str]:
    return [" " * width + line if line else "" for line in text.split("\n")]


def _answer_item(draw: st.DrawFn, question: GenQuestion, indent: str, marker: str) -> list[str]:
    assert question.answer is not None
    # The answer's title as a reader might retype it: other case, colon outside the bold.
    shown = draw(st.sampled_from([question.title, question.title.upper(), question.title.lower()]))
    head = f"{indent}{marker} " + draw(st.sampled_from(["**{t}:**", "**{t}**:"])).format(t=shown)
    content_col = len(indent) + 2
    lines = question.answer.split("\n")
    first_is_paragraph = lines[0][:1] in LETTERS + "("
    if first_is_paragraph and draw(st.booleans()):
        return [f"{head} {lines[0]}", *_indented("\n".join(lines[1:]), content_col)]
    return [head, *_indented(question.answer, content_col)]


def _enumeration(words: list[str]) -> str:
    """ "a", "a and b", "a, b, and c"."""
    if len(words) < 3:
        return " and ".join(words)
    return ", ".join(words[:-1]) + ", and " + words[-1]


@st.composite
def sheet_documents(draw: st.DrawFn) -> GenDocument:
    topics = draw(st.lists(sheet_topic(), min_size=1, max_size=4))
    assume(len({t.expected_slug for t in topics}) == len(topics))
    parts = [draw(st.sampled_from(PROSE)), ""]

    for number, topic in enumerate(topics, start=1):
        parts.append(_sheet_heading(draw, number, topic.title))
        if topic.description:
            parts += ["", topic.description, ""]
        # One list: its items share their indentation, blank lines between them or not.
        separator = draw(st.sampled_from([[], [""]]))
        indent = " " * draw(st.integers(0, 3))
        for question in topic.questions:
            if question.titled:
                parts.append(f"{indent}- **{question.title}:** {question.prompt}")
            else:
                parts.append(f"{indent}- {question.prompt}")
            parts += separator
        parts += ["", draw(st.sampled_from(PROSE)), ""]

    if draw(st.booleans()):
        # A question standing on its own, filed under a topic named by its subject.
        words = draw(st.lists(st.sampled_from(SUBJECT_WORDS), min_size=1, max_size=3, unique=True))
        subject = _enumeration(words)
        asked = f"Explain the difference between {subject}."
        points = draw(st.lists(line_text, min_size=1, max_size=3))
        answer = "\n".join(f"Point {i}: {text}." for i, text in enumerate(points))
        free_topic = GenTopic(
            title=subject[:1].upper() + subject[1:],
            description="",
            questions=(GenQuestion(title=asked.removesuffix("."), prompt=asked, answer=answer),),
        )
        assume(free_topic.expected_slug not in {t.expected_slug for t in topics})
        parts += ["", asked, "", answer, "", "", ""]
        topics.append(free_topic)
        free_count = 1
    else:
        free_count = 0

    parts += [draw(st.sampled_from(PROSE)), ""]
    sheet_topics = topics[: len(topics) - free_count]
    for number in draw(st.permutations(range(len(sheet_topics)))):
        topic = sheet_topics[number]
        answered = [q for q in topic.questions if q.answer is not None]
        if not answered:
            continue
        parts += [_sheet_heading(draw, number + 1, topic.title), ""]
        indent = " " * draw(st.integers(0, 3))
        marker = draw(st.sampled_from("-*+"))
        for question in draw(st.permutations(answered)):
            parts += [*_answer_item(draw, question, indent, marker), ""]
    parts.append(draw(st.sampled_from(PROSE)))
    return GenDocument("\n".join(parts) + "\n", tuple(topics))
