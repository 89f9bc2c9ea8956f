"""The kata pages: the list, a kata with its editor, submitting code, a graded submission.

As in ``rehearse/katas/tests/test_submissions.py``, nothing is mocked: code is graded by
the real sandbox (bubblewrap must be installed: the grading tests fail, not skip,
without it), "no sandbox" points the grader at a bubblewrap that does not exist, and a
busy grader is one whose slots are held with the slot module itself.
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rehearse.accounts.models import User
from rehearse.katas.catalog import KATAS
from rehearse.katas.models import Submission
from rehearse.katas.services import BUSY_RETRY_AFTER_SECONDS
from rehearse.katas.slots import Slot, acquire_slot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("grader_slots")]

FACTORIAL = KATAS["factorial"]
CORRECT = FACTORIAL.solution
WRONG = "def factorial(n):\n    return n if n > 1 else 1 if n == 1 else 0\n"
KATA_URL = "/katas/factorial/"


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    return make_user("mallory@example.org")


def stored(
    user: User, *, kata: str = "factorial", verdict: str = "passed", code: str = CORRECT
) -> Submission:
    return Submission.objects.create(
        user=user,
        kata=kata,
        code=code,
        verdict=verdict,
        message=f"graded {verdict}",
        results=[],
        duration_ms=120,
    )


def html(response: Any) -> str:
    return str(response.content.decode())


def textarea(response: Any) -> str:
    match = re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", html(response), re.DOTALL)
    assert match, "no textarea on the page"
    return html_module.unescape(match.group(1))


# -- the list -----------------------------------------------------------------------


def test_the_list_shows_every_kata_with_its_summary_to_anyone(client: Client) -> None:
    response = client.get("/katas/")
    assert response.status_code == 200
    page = html(response)
    for kata in KATAS.values():
        assert f'href="/katas/{kata.slug}/"' in page
        assert kata.title in page
    assert "returns n! = 1 * 2 * ... * n" in page  # factorial's first paragraph
    assert page.count("<h1>") == 1
    assert "Log in</a> to submit" in page
    assert "Not tried yet" not in page


def test_the_list_shows_a_learners_last_verdict_and_whether_they_solved_it(
    learner_client: Client, learner: User, outsider: User
) -> None:
    solved = stored(learner, verdict="passed")
    last = stored(learner, verdict="not_recursive")
    stored(learner, kata="hanoi", verdict="failed")
    stored(outsider, kata="fibonacci", verdict="passed")

    response = learner_client.get("/katas/")
    assert response.status_code == 200
    rows = {row["kata"].slug: row for row in response.context["rows"]}
    assert (rows["factorial"]["last"].pk, rows["factorial"]["solved"]) == (last.pk, True)
    assert (rows["hanoi"]["last_label"], rows["hanoi"]["solved"]) == ("failed", False)
    assert rows["fibonacci"]["last"] is None  # the outsider's submission is not the learner's
    page = html(response)
    assert f'href="/katas/factorial/submissions/{last.pk}/"' in page
    assert f"/submissions/{solved.pk}/" not in page
    assert "not recursive" in page
    assert page.count('<span class="badge pass">solved</span>') == 1
    assert page.count("Not tried yet") == 3


# -- a kata ---------------------------------------------------------------------------


def test_a_kata_shows_statement_signature_examples_and_limits_to_anyone(client: Client) -> None:
    response = client.get(KATA_URL)
    assert response.status_code == 200
    page = html(response)
    assert page.count("<h1") == 1
    assert "<h1>Factorial</h1>" in page
    assert "<h2>Constraints</h2>" in page
    assert "<h2>Limits</h2>" in page
    assert "def factorial(n: int) -&gt; int:" in page
    assert "<td><code>factorial(5)</code></td><td><code>120</code></td>" in page
    assert "zero is the base case" in page
    assert f"{len(FACTORIAL.hidden_tests)} hidden tests" in page
    assert "20,000 bytes" in page
    assert 'href="/accounts/login/?next=/katas/factorial/">Log in to submit</a>' in page
    assert "<textarea" not in page
    assert "editor.js" not in page


def test_a_signed_in_learner_gets_a_labelled_editor_starting_from_the_signature(
    learner_client: Client,
) -> None:
    response = learner_client.get(KATA_URL)
    assert response.status_code == 200
    page = html(response)
    assert textarea(response) == f"{FACTORIAL.signature}\n    ...\n"
    assert '<label for="id_code">Python code</label>' in page
    assert re.search(r'<textarea[^>]*class="code"[^>]*data-editor', page)
    assert 'aria-describedby="id_code_helptext"' in page
    assert "Esc then Tab to leave the editor" in page
    assert "/static/web/editor.js" in page
    assert 'data-busy="Grading your code…"' in page
    assert re.search(r"<p[^>]*data-busy-status[^>]*role=\"status\"", page)
    assert "No submissions yet" in page


def test_the_editor_starts_from_the_latest_submission_or_the_one_asked_for(
    learner_client: Client, learner: User, outsider: User
) -> None:
    older = stored(learner, code="def factorial(n):\n    return 1  # older\n")
    stored(learner, code="def factorial(n):\n    return 2  # latest\n")
    theirs = stored(outsider, code="def factorial(n):\n    return 3  # theirs\n")
    assert "# latest" in textarea(learner_client.get(KATA_URL))
    assert "# older" in textarea(learner_client.get(f"{KATA_URL}?from={older.pk}"))
    for other in (theirs.pk, "x", "99999999999999999999", "٣"):
        assert "# latest" in textarea(learner_client.get(f"{KATA_URL}?from={other}"))


def test_the_kata_page_lists_only_the_learners_recent_submissions(
    learner_client: Client, learner: User, outsider: User
) -> None:
    mine = stored(learner, verdict="failed")
    theirs = stored(outsider)
    page = html(learner_client.get(KATA_URL))
    assert f'href="/katas/factorial/submissions/{mine.pk}/"' in page
    assert f"/submissions/{theirs.pk}/" not in page
    assert "graded failed" in page


def test_an_unknown_kata_is_a_404(client: Client, learner_client: Client) -> None:
    assert client.get("/katas/quicksort/").status_code == 404
    assert learner_client.post("/katas/quicksort/", {"code": CORRECT}).status_code == 404
    assert not Submission.objects.exists()


# -- submitting -----------------------------------------------------------------------


def test_a_correct_factorial_passes_and_its_page_shows_every_test_passed(
    learner_client: Client, learner: User, sandbox: None
) -> None:
    code = CORRECT + "\nprint('loaded', flush=True)\n"
    # A learner_client sends the textarea's line breaks as CRLF; the code is stored with LF.
    response = learner_client.post(KATA_URL, {"code": code.replace("\n", "\r\n")})
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/katas/factorial/submissions/{submission.pk}/"
    assert (submission.user, submission.verdict, submission.code) == (learner, "passed", code)

    page = learner_client.get(response["Location"])
    assert page.status_code == 200
    text = html(page)
    assert '<div class="verdict pass" id="verdict">' in text
    assert f"all {len(FACTORIAL.tests)} tests passed" in text
    assert page.context["tests_passed"] == len(FACTORIAL.tests)
    assert text.count('<span class="badge pass">passed</span>') == len(FACTORIAL.tests) + 1
    assert '<th scope="row">example 1: zero is the base case</th>' in text
    assert "<td><code>factorial(5)</code></td>" in text
    assert text.count('<span class="muted">hidden</span>') == len(FACTORIAL.hidden_tests)
    assert re.search(r'<pre class="code output"[^>]*><code>loaded', text)
    assert "def factorial(n: int) -&gt; int:" in text
    assert f'href="/katas/factorial/?from={submission.pk}#solution">Edit this code</a>' in text
    # The editor now starts from it.
    assert textarea(learner_client.get(KATA_URL)) == code


def test_a_wrong_factorial_fails_with_expected_and_got(
    learner_client: Client, sandbox: None
) -> None:
    response = learner_client.post(KATA_URL, {"code": WRONG}, follow=True)
    assert response.status_code == 200
    assert Submission.objects.get().verdict == "failed"
    text = html(response)
    assert '<div class="verdict fail" id="verdict">' in text
    cells = (
        r"<td><code>factorial\(0\)</code></td>\s*<td><code>1</code></td>\s*<td><code>0</code></td>"
    )
    assert re.search(cells, text)
    assert "expected 1, got 0" in text
    assert response.context["tests_passed"] < len(FACTORIAL.tests)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "This field is required."),
        # 10,001 characters, but 20,002 bytes of UTF-8: the limit counts bytes.
        ("é" * 10_001, "The code is 20,002 bytes of UTF-8; the limit is 20,000."),
        ("def factorial(n):\x00", "Null characters are not allowed."),
    ],
)
def test_empty_oversize_or_nul_code_is_a_400_and_nothing_is_graded(
    learner_client: Client, code: str, message: str
) -> None:
    response = learner_client.post(KATA_URL, {"code": code})
    assert response.status_code == 400
    text = html(response)
    assert message in text
    assert 'class="field invalid"' in text
    assert not Submission.objects.exists()


def test_the_size_limit_is_the_apis(learner_client: Client, api_client: Any, learner: User) -> None:
    limit = FACTORIAL.limits.code_bytes
    code = "#" * (limit + 1)
    api_client.force_authenticate(learner)
    api = api_client.post("/api/v1/katas/factorial/submissions/", {"code": code}, format="json")
    page = learner_client.post(KATA_URL, {"code": code})
    assert (api.status_code, page.status_code) == (400, 400)
    assert api.json()["errors"]["code"][0] in html(page)


@pytest.fixture
def every_slot_held(settings: Any) -> Iterator[list[Slot]]:
    held = [
        acquire_slot(directory=Path(settings.GRADER_SLOT_DIR), count=settings.GRADER_MAX_CONCURRENT)
        for _ in range(settings.GRADER_MAX_CONCURRENT)
    ]
    yield held
    for slot in held:
        slot.release()


def test_a_busy_grader_is_a_503_with_retry_after_and_the_code_stays(
    learner_client: Client, every_slot_held: list[Slot]
) -> None:
    response = learner_client.post(KATA_URL, {"code": WRONG})
    assert response.status_code == 503
    assert response["Retry-After"] == str(BUSY_RETRY_AFTER_SECONDS)
    text = html(response)
    assert re.search(r'<div class="alert" role="alert"><p>all 2 grading slots are in use', text)
    assert textarea(response).replace("\r\n", "\n") == WRONG
    assert not Submission.objects.exists()


def test_no_sandbox_is_a_503_and_nothing_is_stored(
    learner_client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.GRADER_BWRAP = str(tmp_path / "no-bwrap-here")
    response = learner_client.post(KATA_URL, {"code": CORRECT})
    assert response.status_code == 503
    assert "code is never run outside it" in html(response)
    assert textarea(response) == CORRECT
    assert not Submission.objects.exists()


def test_an_anonymous_post_is_sent_to_log_in(client: Client) -> None:
    response = client.post(KATA_URL, {"code": CORRECT})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/katas/factorial/"
    assert not Submission.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(learner: User) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.post(KATA_URL, {"code": CORRECT}).status_code == 403
    # With the page's token the same client gets through (to a 400: nothing is graded).
    strict.get(KATA_URL)
    token = strict.cookies["csrftoken"].value
    response = strict.post(KATA_URL, {"code": "", "csrfmiddlewaretoken": token})
    assert response.status_code == 400
    assert not Submission.objects.exists()


# -- a submission ---------------------------------------------------------------------


def test_someone_elses_submission_is_a_404(learner_client: Client, outsider: User) -> None:
    theirs = stored(outsider)
    assert learner_client.get(f"/katas/factorial/submissions/{theirs.pk}/").status_code == 404


def test_a_submission_is_only_found_under_its_own_kata(
    learner_client: Client, learner: User
) -> None:
    mine = stored(learner)
    assert learner_client.get(f"/katas/factorial/submissions/{mine.pk}/").status_code == 200
    assert learner_client.get(f"/katas/hanoi/submissions/{mine.pk}/").status_code == 404
    assert learner_client.get(f"/katas/quicksort/submissions/{mine.pk}/").status_code == 404


def test_a_submission_page_needs_a_sign_in(client: Client, learner: User) -> None:
    mine = stored(learner)
    response = client.get(f"/katas/factorial/submissions/{mine.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_a_submission_that_ran_no_test_says_why(learner_client: Client, learner: User) -> None:
    refused = stored(learner, verdict="error")
    text = html(learner_client.get(f"/katas/factorial/submissions/{refused.pk}/"))
    assert "No test ran: graded error" in text
    assert "Your code printed nothing." in text


def test_the_list_reads_standings_in_the_same_queries_however_many_katas_were_tried(
    learner_client: Client, learner: User
) -> None:
    stored(learner)
    with CaptureQueriesContext(connection) as one:
        learner_client.get("/katas/")
    for slug in ("fibonacci", "binary-search", "reverse-string", "hanoi"):
        stored(learner, kata=slug, verdict="failed")
        stored(learner, kata=slug, verdict="passed")
    with CaptureQueriesContext(connection) as all_five:
        learner_client.get("/katas/")
    assert len(all_five) == len(one)
