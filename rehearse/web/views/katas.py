"""Kata pages: the list, one kata with its code editor, and one graded submission.

The twin of ``rehearse.katas.api``: katas come from the catalog through the selectors,
submissions through the learner's own querysets (another learner's submission is a
404), the code's size is checked by the API's own serializer, and grading is one call
to ``services.submission_create``. Grading is synchronous: the POST answers when the
verdict is stored, so there is nothing to poll. Its refusals (every grading slot busy,
no sandbox) are shown on the page with their 503, the code still in the editor.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from rehearse.accounts.models import User
from rehearse.core.exceptions import DomainError
from rehearse.katas import selectors, services
from rehearse.katas.api.serializers import call_text
from rehearse.katas.catalog import Kata
from rehearse.katas.grader import Verdict
from rehearse.katas.grader.grading import show
from rehearse.katas.models import Submission
from rehearse.web.forms import SubmissionForm, add_domain_error

RECENT_SUBMISSIONS = 10


def _kata(slug: str) -> Kata:
    try:
        return selectors.kata_get(slug=slug)
    except selectors.KataNotFound as exc:
        raise Http404(exc.detail) from exc


def _label(verdict: str) -> str:
    return verdict.replace("_", " ")


def _summary(kata: Kata) -> str:
    """The statement's first paragraph (Markdown), for the list."""
    for block in kata.statement.split("\n\n"):
        if block.strip() and not block.lstrip().startswith("#"):
            return block.strip()
    return ""


def _statement_body(kata: Kata) -> str:
    """The statement without its leading title: the page shows the title as its h1."""
    first, _, rest = kata.statement.partition("\n")
    return rest if first.startswith("# ") else kata.statement


def _output_cap(kata: Kata) -> str:
    return f"{kata.limits.output_bytes // 1024:,} KiB"


def _starter(kata: Kata) -> str:
    return f"{kata.signature}\n    ...\n"


def _draft(request: HttpRequest, user: User, kata: Kata) -> str:
    """What the editor starts with: the submission named by ``?from=``, else the latest
    one, else the kata's signature."""
    submissions = selectors.submission_detail(user=user, kata=kata).order_by("-created_at", "-id")
    chosen = request.GET.get("from", "")
    # Digits only, and short enough for any database's integer column.
    if chosen.isascii() and chosen.isdigit() and len(chosen) <= 9:
        code = submissions.filter(pk=int(chosen)).values_list("code", flat=True).first()
        if code is not None:
            return code
    code = submissions.values_list("code", flat=True).first()
    return _starter(kata) if code is None else code


@require_GET
def kata_list(request: HttpRequest) -> HttpResponse:
    standings = selectors.kata_standings(user=request.user) if request.user.is_authenticated else {}
    rows: list[dict[str, Any]] = []
    for kata in selectors.kata_list():
        row: dict[str, Any] = {"kata": kata, "summary": _summary(kata), "last": None}
        standing = standings.get(kata.slug)
        if standing is not None:
            row["last"] = standing.last
            row["last_label"] = _label(standing.last.verdict)
            row["solved"] = standing.solved
        rows.append(row)
    return render(request, "web/katas/list.html", {"rows": rows})


def _kata_page(
    request: HttpRequest, kata: Kata, form: SubmissionForm | None, *, status: int = 200
) -> HttpResponse:
    submissions: list[dict[str, Any]] = []
    if request.user.is_authenticated:
        recent = selectors.submission_list(user=request.user, kata=kata)[:RECENT_SUBMISSIONS]
        submissions = [
            {"submission": submission, "label": _label(submission.verdict)} for submission in recent
        ]
    context = {
        "kata": kata,
        "statement": _statement_body(kata),
        "examples": [
            {
                "call": call_text(kata, case.args),
                "expected": show(case.expected),
                "label": case.label,
            }
            for case in kata.examples
        ],
        "hidden_test_count": len(kata.hidden_tests),
        "code_bytes": f"{kata.limits.code_bytes:,}",
        "output_cap": _output_cap(kata),
        "form": form,
        "submissions": submissions,
    }
    return render(request, "web/katas/kata.html", context, status=status)


@require_http_methods(["GET", "POST"])
def kata_detail(request: HttpRequest, slug: str) -> HttpResponse:
    kata = _kata(slug)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return _kata_page(request, kata, None)
    user = request.user
    if request.method == "GET":
        form = SubmissionForm(kata=kata, initial={"code": _draft(request, user, kata)})
        return _kata_page(request, kata, form)

    form = SubmissionForm(request.POST, kata=kata)
    status, headers = 400, {}
    if form.is_valid():
        try:
            submission = services.submission_create(
                user=user, kata=kata, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            add_domain_error(form, error)
            status, headers = error.status, error.headers
        else:
            return redirect("web:submission", slug=kata.slug, pk=submission.pk)
    response = _kata_page(request, kata, form, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _test_rows(submission: Submission) -> list[dict[str, Any]]:
    rows = []
    for test in submission.results:
        seconds = test.get("elapsed_seconds")
        if seconds is None:
            time = ""
        elif seconds < 0.001:
            time = "< 1 ms"
        else:
            time = f"{seconds * 1000:,.0f} ms"
        verdict = str(test.get("verdict", ""))
        rows.append(
            {
                **test,
                "passed": verdict == Verdict.PASSED,
                "label": _label(verdict),
                "time": time,
            }
        )
    return rows


@login_required
@require_GET
def submission_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    kata = _kata(slug)
    submission = get_object_or_404(
        selectors.submission_detail(user=request.user, kata=kata),  # type: ignore[arg-type]
        pk=pk,
    )
    tests = _test_rows(submission)
    context = {
        "kata": kata,
        "submission": submission,
        "passed": submission.verdict == Verdict.PASSED,
        "label": _label(submission.verdict),
        "tests": tests,
        "tests_passed": sum(1 for test in tests if test["passed"]),
        "output_cap": _output_cap(kata),
    }
    return render(request, "web/katas/submission.html", context)
