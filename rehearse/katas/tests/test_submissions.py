"""Submissions over HTTP, graded by the real sandbox: verdicts, storage, ownership, refusals.

Nothing is mocked: every submission here goes through ``grade`` and bubblewrap. The
refusals are real too: "no sandbox" points the grader at a bubblewrap that does not
exist (``GRADER_BWRAP``), and a held slot is held with the slot module itself
(``test_concurrency.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core import checks
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rehearse.accounts.models import User
from rehearse.katas.api.serializers import integer_text
from rehearse.katas.catalog import KATAS
from rehearse.katas.models import Submission
from rehearse.katas.services import storable_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("grader_slots")]

FACTORIAL = KATAS["factorial"]
URL = "/api/v1/katas/factorial/submissions/"
CORRECT = FACTORIAL.solution
WRONG = "def factorial(n):\n    return n if n > 1 else 1 if n == 1 else 0\n"
PASSWORD = "a sufficiently long passphrase"


@pytest.fixture
def learner() -> User:
    return User.objects.create_user("ada@example.org", PASSWORD)


@pytest.fixture
def outsider() -> User:
    return User.objects.create_user("mallory@example.org", PASSWORD)


@pytest.fixture
def api(learner: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(learner)
    return client


@pytest.fixture
def outsider_api(outsider: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(outsider)
    return client


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def submit(api: APIClient, code: str, url: str = URL) -> Any:
    return api.post(url, {"code": code}, format="json")


def graded(api: APIClient, code: str, url: str = URL) -> dict[str, Any]:
    response = submit(api, code, url)
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


# -- verdicts ------------------------------------------------------------------------


def test_a_correct_factorial_passes_and_is_stored(api: APIClient, learner: User) -> None:
    response = submit(api, CORRECT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["verdict"] == "passed"
    assert body["message"] == f"all {len(FACTORIAL.tests)} tests passed"
    assert body["kata"] == "factorial"
    assert body["code"] == CORRECT
    assert len(body["tests"]) == len(FACTORIAL.tests)
    assert {test["verdict"] for test in body["tests"]} == {"passed"}
    assert 0 < body["duration_ms"] < 10_000
    assert body["created_at"].endswith("Z")
    assert response["Location"].endswith(f"{URL}{body['id']}/")

    stored = Submission.objects.get(pk=body["id"])
    assert (stored.user, stored.kata, stored.code, stored.verdict) == (
        learner,
        "factorial",
        CORRECT,
        "passed",
    )
    assert len(stored.results) == len(FACTORIAL.tests)
    assert api.get(response["Location"]).json() == body


def test_a_wrong_answer_fails_with_expected_and_got_for_visible_tests(api: APIClient) -> None:
    body = graded(api, WRONG)
    assert body["verdict"] == "failed"
    zero, one, five = body["tests"][:3]
    assert zero["verdict"] == "failed"
    assert (zero["arguments"], zero["expected"], zero["got"]) == ("factorial(0)", "1", "0")
    assert zero["detail"] == "expected 1, got 0"
    assert zero["hidden"] is False
    assert one["verdict"] == "passed"
    assert (five["expected"], five["got"]) == ("120", "5")
    assert body["message"].startswith("example 1")


def test_hidden_tests_show_their_verdict_but_not_their_inputs_or_answers(api: APIClient) -> None:
    response = submit(api, WRONG)
    body = response.json()
    hidden = [test for test in body["tests"] if test["hidden"]]
    assert len(hidden) == len(FACTORIAL.hidden_tests)
    assert sum(test["verdict"] == "failed" for test in hidden) >= 5
    for test in hidden:
        assert test["detail"] == ("wrong answer" if test["verdict"] == "failed" else "passed")
        assert test["arguments"] is test["expected"] is test["got"] is None
    text = response.content.decode()
    for case in FACTORIAL.hidden_tests:
        if case.expected >= 10**6:
            assert integer_text(case.expected)[:30] not in text
    for row in Submission.objects.get(pk=body["id"]).results:
        if row["hidden"]:
            assert row["arguments"] is row["expected"] is row["got"] is None


@pytest.mark.parametrize(
    ("code", "verdict", "message"),
    [
        ("def factorial(n)\n    return 1\n", "error", "SyntaxError"),
        ("def fact(n):\n    return fact(n)\n", "error", "define a function named factorial"),
        ("import math\n\ndef factorial(n):\n    return math.factorial(n)\n", "not_recursive", ""),
        ("def factorial(n):\n    raise ValueError('no')\n", "error", "ValueError: no"),
    ],
)
def test_other_verdicts_are_stored_too(
    api: APIClient, code: str, verdict: str, message: str
) -> None:
    body = graded(api, code)
    assert body["verdict"] == verdict
    assert message in body["message"]
    assert Submission.objects.get(pk=body["id"]).verdict == verdict


def test_every_kata_accepts_its_model_solution(api: APIClient) -> None:
    for slug, kata in KATAS.items():
        body = graded(api, kata.solution, f"/api/v1/katas/{slug}/submissions/")
        assert body["verdict"] == "passed", body["message"]


def test_what_the_code_prints_is_returned_and_kept(api: APIClient) -> None:
    code = (
        "def factorial(n):\n    print('n is', n)\n    return 1 if n < 2 else n * factorial(n - 1)\n"
    )
    body = graded(api, code)
    assert body["verdict"] == "passed"
    assert body["output"].startswith("n is 0\n")
    assert body["output_truncated"] is False


def test_output_is_kept_when_every_test_fails_fast(api: APIClient) -> None:
    # The runner's last result and the output it printed before it arrive together; the
    # output must not be dropped because the result pipe was read first.
    code = "def factorial(n):\n    print('seen')\n    raise ValueError('no')\n"
    for _ in range(6):
        body = graded(api, code)
        assert body["verdict"] == "error"
        assert body["output"] == "seen\n" * len(FACTORIAL.tests)


def test_nul_and_lone_surrogates_from_the_code_are_stored_escaped(api: APIClient) -> None:
    # PostgreSQL refuses NUL in text and jsonb; a lone surrogate is not UTF-8 at all.
    code = (
        "def factorial(n):\n"
        "    print('a\\x00b')\n"
        "    if n == 1:\n"
        "        return 'x\\x00' + chr(0xDFFF)\n"
        "    raise ValueError('c\\x00d ' + chr(0xD800))\n"
    )
    response = submit(api, code)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["verdict"] == "error"
    assert body["output"].startswith("a\\x00b\n")
    assert body["tests"][0]["detail"] == "ValueError: c\\x00d \\ud800"
    assert body["tests"][1]["got"] == "'x\\x00\\udfff'"
    assert "\x00" not in response.content.decode()
    stored = Submission.objects.get(pk=body["id"])
    assert stored.results[0]["detail"] == "ValueError: c\\x00d \\ud800"


def test_storable_text_escapes_only_what_cannot_be_stored() -> None:
    assert storable_text("plain ✓ 🙂") == "plain ✓ 🙂"
    assert storable_text("a\x00b") == "a\\x00b"
    assert storable_text("\ud800x") == "\\ud800x"


# -- what the API refuses ------------------------------------------------------------


def test_anonymous_submissions_are_refused_with_401(api_client: APIClient) -> None:
    response = submit(api_client, CORRECT)
    assert problem(response, 401)["type"] == "/problems/not-authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    problem(api_client.get(URL), 401)
    assert not Submission.objects.exists()


def test_code_over_the_size_limit_is_a_400_before_grading(api: APIClient) -> None:
    limit = FACTORIAL.limits.code_bytes
    code = CORRECT + "#" * (limit - len(CORRECT) + 1)
    body = problem(submit(api, code), 400)
    assert body["errors"]["code"] == [
        f"The code is {limit + 1:,} bytes of UTF-8; the limit is 20,000."
    ]
    # Counted in bytes of UTF-8, not characters: 6,668 characters, 20,002 bytes.
    body = problem(submit(api, "#" + "✓" * 6_667), 400)
    assert body["errors"]["code"] == ["The code is 20,002 bytes of UTF-8; the limit is 20,000."]
    assert not Submission.objects.exists()
    assert graded(api, CORRECT + "#" * (limit - len(CORRECT)))["verdict"] == "passed"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "code", "This field is required."),
        ({"code": ""}, "code", "This field may not be blank."),
        ({"code": 42}, "code", "Not a valid string."),
        ({"code": CORRECT, "verdict": "passed"}, "verdict", "Unknown field."),
    ],
)
def test_bad_bodies_are_a_400(
    api: APIClient, body: dict[str, Any], field: str, message: str
) -> None:
    errors = problem(api.post(URL, body, format="json"), 400)["errors"]
    assert errors[field] == [message]
    assert not Submission.objects.exists()


def test_code_with_a_nul_character_is_refused_before_grading(api: APIClient) -> None:
    body = problem(api.post(URL, {"code": "def factorial(n):\x00"}, format="json"), 400)
    assert "NUL" in body["detail"]
    assert not Submission.objects.exists()


def test_a_submission_to_an_unknown_kata_is_a_404(api: APIClient) -> None:
    problem(submit(api, CORRECT, "/api/v1/katas/quicksort/submissions/"), 404)
    problem(api.get("/api/v1/katas/quicksort/submissions/"), 404)
    assert not Submission.objects.exists()


def test_no_sandbox_is_a_503_and_nothing_runs_or_is_stored(
    api: APIClient, settings: Any, tmp_path: Path
) -> None:
    settings.GRADER_BWRAP = str(tmp_path / "no-bwrap-here")
    body = problem(submit(api, CORRECT), 503)
    assert body["type"] == "/problems/sandbox-unavailable"
    assert "never run outside" in body["detail"]
    assert not Submission.objects.exists()


def test_the_slot_count_is_checked_at_startup(settings: Any) -> None:
    settings.GRADER_MAX_CONCURRENT = 0
    errors = [message.id for message in checks.run_checks()]
    assert "katas.E001" in errors


# -- ownership and listing -----------------------------------------------------------


def make_submissions(user: User, count: int, kata: str = "factorial") -> list[Submission]:
    return [
        Submission.objects.create(
            user=user,
            kata=kata,
            code=CORRECT,
            verdict="passed",
            message="all tests passed",
            results=[],
            duration_ms=100 + index,
        )
        for index in range(count)
    ]


def test_a_learner_sees_only_their_own_submissions(
    api: APIClient, outsider_api: APIClient, learner: User, outsider: User
) -> None:
    mine = graded(api, CORRECT)
    theirs = graded(outsider_api, WRONG)
    listed = api.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [mine["id"]]
    assert [row["id"] for row in outsider_api.get(URL).json()["results"]] == [theirs["id"]]
    body = problem(api.get(f"{URL}{theirs['id']}/"), 404)
    assert body["type"] == "/problems/not-found"
    problem(outsider_api.get(f"{URL}{mine['id']}/"), 404)


def test_a_submission_is_found_only_under_its_own_kata(api: APIClient) -> None:
    mine = graded(api, CORRECT)
    problem(api.get(f"/api/v1/katas/fibonacci/submissions/{mine['id']}/"), 404)
    assert api.get("/api/v1/katas/fibonacci/submissions/").json()["results"] == []


def test_an_absurd_id_is_a_404(api: APIClient) -> None:
    problem(api.get(f"{URL}99999999999999999999999/"), 404)


def test_submissions_cannot_be_changed_or_deleted(api: APIClient, learner: User) -> None:
    (submission,) = make_submissions(learner, 1)
    problem(api.put(f"{URL}{submission.pk}/", {"code": WRONG}, format="json"), 405)
    problem(api.delete(f"{URL}{submission.pk}/"), 405)


def test_the_list_is_newest_first_keyset_paginated_and_light(api: APIClient, learner: User) -> None:
    submissions = make_submissions(learner, 5)
    make_submissions(learner, 2, kata="hanoi")
    first = api.get(URL, {"page_size": 2}).json()
    assert [row["id"] for row in first["results"]] == [s.pk for s in submissions[::-1][:2]]
    assert set(first["results"][0]) == {
        "id",
        "kata",
        "verdict",
        "message",
        "duration_ms",
        "created_at",
    }
    assert first["previous"] is None
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    ids = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert ids == [s.pk for s in reversed(submissions)]
    assert third["next"] is None


def test_listing_costs_the_same_queries_for_any_page_size(api: APIClient, learner: User) -> None:
    make_submissions(learner, 30)
    counts = []
    for size in (2, 25):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(URL, {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    listing = next(q["sql"] for q in queries if "katas_submission" in q["sql"])
    assert '"code"' not in listing
    assert '"results"' not in listing


def test_the_admin_lists_submissions_read_only(learner: User, client: Client) -> None:
    make_submissions(learner, 2)
    admin = User.objects.create_superuser("root@example.org", PASSWORD)
    client.force_login(admin)
    assert client.get("/admin/katas/submission/").status_code == 200
    submission = Submission.objects.first()
    assert submission is not None
    page = client.get(f"/admin/katas/submission/{submission.pk}/change/")
    assert page.status_code == 200
    assert client.get("/admin/katas/submission/add/").status_code == 403


# -- hostile submissions -------------------------------------------------------------

INFINITE_LOOP = "def factorial(n):\n    while True:\n        pass\n"
READ_PASSWD = "def factorial(n):\n    return open('/etc/passwd').read()\n"
# "import os" is refused, so a determined fork bomb digs the posix module out of
# importlib's globals; RLIMIT_NPROC and the PID namespace stop it there.
FORK_BOMB = """
def _posix():
    for cls in object.__subclasses__():
        for value in list(vars(cls).values()):
            function = getattr(value, "__func__", value)
            namespace = getattr(function, "__globals__", None)
            if isinstance(namespace, dict) and "_os" in namespace:
                return namespace["_os"]
    raise LookupError("no posix module in reach")

def factorial(n):
    posix = _posix()
    while True:
        posix.fork()
"""


@pytest.mark.parametrize(
    ("code", "verdicts"),
    [
        pytest.param(INFINITE_LOOP, {"timeout"}, id="infinite-loop"),
        pytest.param(READ_PASSWD, {"error"}, id="read-etc-passwd"),
        pytest.param(FORK_BOMB, {"error"}, id="fork-bomb"),
    ],
)
def test_hostile_submissions_fail_and_the_server_stays_healthy(
    api: APIClient, client: Client, code: str, verdicts: set[str]
) -> None:
    body = graded(api, code)
    assert body["verdict"] in verdicts, body["message"]
    assert "root:" not in json.dumps(body)  # /etc/passwd never reached the response
    assert Submission.objects.get(pk=body["id"]).verdict == body["verdict"]
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert graded(api, CORRECT)["verdict"] == "passed"
