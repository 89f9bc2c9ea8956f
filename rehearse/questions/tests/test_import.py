"""Importing sheets into the database: the seed, the bundled bank, re-imports, refusals."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rehearse.questions.models import Question, QuestionStatus, Source, Topic

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT.parent / "shared" / "seed" / "interview-questions.md"
CONTENT = sorted((ROOT / "content").glob("*.md"))

SEED_TOPICS = {
    "recursion": 5,
    "django-rest-api": 5,
    "authentication-and-authorization": 5,
    "http-vs-https": 5,
    "tls-ssl": 4,
    "deployment-nginx-and-gunicorn": 5,
    "sql-and-acid-properties": 5,
    "threading-multiprocessing-and-asyncio": 1,
}


def run_import(*paths: Path) -> str:
    out = io.StringIO()
    call_command("import-questions", *map(str, paths), stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seed() -> Path:
    assert SEED.exists(), f"the seed sheet is missing at {SEED}"
    return SEED


def test_seed_imports_every_answered_question_under_its_topic(seed: Path) -> None:
    report = run_import(seed)
    assert report.startswith("38 created, 0 updated, 0 unchanged")
    published = Question.objects.filter(status=QuestionStatus.PUBLISHED)
    assert published.count() == 35
    for slug, count in SEED_TOPICS.items():
        assert published.filter(topic__slug=slug).count() == count, slug
    assert all(question.is_answered for question in published)


def test_seed_answers_land_on_their_own_questions(seed: Path) -> None:
    run_import(seed)

    def answer(topic: str, title: str) -> str:
        return Question.objects.get(topic__slug=topic, title=title).answer

    assert "def factorial(n):" in answer("recursion", "Factorial Calculation")
    assert "```python" in answer("recursion", "Factorial Calculation")
    assert "fibonacci(n - 1) + fibonacci(n - 2)" in answer("recursion", "Fibonacci Series")
    assert "simplejwt" in answer("django-rest-api", "Authentication")
    assert "Group" in answer("authentication-and-authorization", "Permissions")
    assert "Verifies who you are" in answer(
        "authentication-and-authorization", "Difference Between Authentication and Authorization"
    )
    assert "digital certificate" in answer("http-vs-https", "Certificates")
    assert "Encrypts data" in answer("http-vs-https", "SSL/TLS")
    assert "django-cors-headers" in answer("http-vs-https", "CORS (Cross-Origin Resource Sharing)")
    assert "ssl_certificate" in answer("tls-ssl", "HTTPS Setup")
    assert "BEGIN;" in answer("sql-and-acid-properties", "Transactions")
    concurrency = Question.objects.get(topic__slug="threading-multiprocessing-and-asyncio")
    assert "GIL" in concurrency.answer
    assert "event loops" in concurrency.answer


def test_seed_practice_examples_are_unanswered_drafts_listed_in_the_report(seed: Path) -> None:
    report = run_import(seed)
    drafts = Question.objects.filter(topic__slug="practice-coding-examples")
    assert drafts.count() == 3
    assert all(q.status == QuestionStatus.DRAFT and not q.is_answered for q in drafts)
    for question in drafts:
        assert question.title in report


def test_seed_report_names_every_judgement_pairing(seed: Path) -> None:
    report = run_import(seed)
    for answer_title in ("JWT Authentication", "RBAC in Django", "SSL Certificate", "CORS Issues"):
        assert f"'{answer_title}' answers" in report


def test_reimport_changes_nothing(seed: Path) -> None:
    run_import(seed)
    before = list(Question.objects.order_by("pk").values())
    report = run_import(seed)
    assert report.startswith("0 created, 0 updated, 38 unchanged")
    assert list(Question.objects.order_by("pk").values()) == before


def test_the_bundled_bank_imports_and_reimports_idempotently() -> None:
    report = run_import(*CONTENT)
    created = int(report.split(" created")[0])
    assert created >= 60
    assert run_import(*CONTENT).startswith(f"0 created, 0 updated, {created} unchanged")


def test_seed_after_bank_keeps_the_bank_versions(seed: Path) -> None:
    run_import(*CONTENT)
    bank_topic = Topic.objects.get(slug="django-rest-api")
    bank_answers = dict(Question.objects.values_list("pk", "answer"))
    report = run_import(seed)
    assert "kept as another document defines them" in report
    bank_topic.refresh_from_db()
    assert bank_topic.title == "Django REST framework"
    assert bank_topic.description
    for pk, answer in bank_answers.items():
        assert Question.objects.get(pk=pk).answer == answer


def test_an_edited_document_updates_only_what_changed(tmp_path: Path) -> None:
    sheet = tmp_path / "bank.md"
    sheet.write_text(
        "# Topic\n\n## First\n\nPrompt one.\n\n### Answer\n\nAnswer one.\n\n"
        "## Second\n\nPrompt two.\n\n### Answer\n\nAnswer two.\n"
    )
    run_import(sheet)
    sheet.write_text(sheet.read_text().replace("Answer two.", "A better answer two."))
    report = run_import(sheet)
    assert report.startswith("0 created, 1 updated, 1 unchanged")
    assert Question.objects.get(slug="second").answer == "A better answer two."


def test_a_later_answer_publishes_an_unanswered_draft(tmp_path: Path) -> None:
    sheet = tmp_path / "bank.md"
    sheet.write_text("# Topic\n\n## Open question\n\nPrompt.\n")
    run_import(sheet)
    assert Question.objects.get().status == QuestionStatus.DRAFT
    sheet.write_text("# Topic\n\n## Open question\n\nPrompt.\n\n### Answer\n\nNow answered.\n")
    run_import(sheet)
    assert Question.objects.get().status == QuestionStatus.PUBLISHED


def test_a_malformed_document_writes_nothing_and_names_the_line(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Topic\n\n## Fine\n\nPrompt.\n\n### Answer\n\nAnswer.\n")
    bad = tmp_path / "bad.md"
    bad.write_text("# Topic\n\n## Broken\n\nPrompt.\n\n### Answer\n\n```python\nopen fence\n")
    with pytest.raises(CommandError) as excinfo:
        run_import(good, bad)
    assert f"{bad}:9:" in str(excinfo.value) or "bad.md:9:" in str(excinfo.value)
    assert not Question.objects.exists()
    assert not Topic.objects.exists()
    assert not Source.objects.exists()


def test_two_documents_defining_one_question_are_refused(tmp_path: Path) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text("# Topic\n\n## Same\n\nPrompt.\n\n### Answer\n\nAnswer.\n")
    with pytest.raises(CommandError, match="also defined in"):
        run_import(tmp_path / "a.md", tmp_path / "b.md")
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\xff\xfe not utf-8", "not UTF-8"), (None, "No such file")],
)
def test_unreadable_files_are_clear_errors(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "sheet.md"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run_import(path)


def test_an_import_never_overwrites_a_question_an_author_wrote(tmp_path: Path) -> None:
    from rehearse.accounts.models import User

    author = User.objects.create_user("author@example.org", "a long enough passphrase")
    topic = Topic.objects.create(slug="topic", title="Topic")
    Question.objects.create(
        topic=topic,
        slug="mine",
        title="Mine",
        prompt="Mine.",
        answer="Written by hand.",
        author=author,
    )
    sheet = tmp_path / "bank.md"
    sheet.write_text("# Topic\n\n## Mine\n\nPrompt.\n\n### Answer\n\nImported.\n")
    report = run_import(sheet)
    assert "kept as another document defines them" in report
    assert Question.objects.get(slug="mine").answer == "Written by hand."
