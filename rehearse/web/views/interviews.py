"""Mock interviews: choose, answer against the clock, grade yourself, see the summary.

Input is validated by the API's own serializers (same limits, same messages) and every
change goes through the practice services, so the page and the API cannot disagree on
a rule. The clock is the server's: the countdown only shows it, and an answer that
arrives after the deadline is refused by the service, which closes the interview.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from rehearse.accounts.models import User
from rehearse.core.exceptions import DomainError
from rehearse.practice import scheduling, selectors, services
from rehearse.practice.api.serializers import (
    MAX_INTERVIEW_MINUTES,
    MAX_INTERVIEW_QUESTIONS,
    MINUTES_PER_QUESTION,
    InterviewAnswerSerializer,
    InterviewCreateSerializer,
)
from rehearse.practice.models import Card, Interview, InterviewStatus, Rating
from rehearse.questions import selectors as question_selectors
from rehearse.questions.models import Difficulty
from rehearse.web.forms import flat_messages

SELF_GRADES = [(0, "Blank"), (1, "Partial"), (2, "Good"), (3, "Complete")]


def _list_page(
    request: HttpRequest, *, errors: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    history = selectors.interview_list(user=user).order_by("-started_at", "-id")[:20]
    enrolled = set(selectors.enrolment_list(user=user).values_list("topic__slug", flat=True))
    chosen = request.POST.getlist("topics") if request.method == "POST" else sorted(enrolled)
    context = {
        "history": history,
        "open_interview": next((i for i in history if i.status == InterviewStatus.OPEN), None),
        "topics": question_selectors.topic_list(user=user).order_by("title"),
        "chosen_topics": chosen,
        "difficulties": Difficulty.choices,
        "chosen_difficulties": request.POST.getlist("difficulties")
        or [label for _, label in Difficulty.choices],
        "question_count": request.POST.get("question_count", "5"),
        "time_limit_minutes": request.POST.get("time_limit_minutes", ""),
        "max_questions": MAX_INTERVIEW_QUESTIONS,
        "max_minutes": MAX_INTERVIEW_MINUTES,
        "minutes_per_question": MINUTES_PER_QUESTION,
        "errors": errors or {},
    }
    return render(request, "web/interviews/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def interview_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    services.interview_close_overdue(user=user)
    if request.method == "GET":
        return _list_page(request)
    data: dict[str, Any] = {
        "topics": request.POST.getlist("topics"),
        "question_count": request.POST.get("question_count") or 5,
    }
    if request.POST.getlist("difficulties"):
        data["difficulties"] = request.POST.getlist("difficulties")
    if request.POST.get("time_limit_minutes"):
        data["time_limit_minutes"] = request.POST["time_limit_minutes"]
    form = InterviewCreateSerializer(data=data)
    if not form.is_valid():
        errors = {field: flat_messages(detail) for field, detail in form.errors.items()}
        return _list_page(request, errors=errors, status=400)
    try:
        interview = services.interview_start(user=user, **form.validated_data)
    except DomainError as error:
        return _list_page(request, errors={"non_field_errors": [error.detail]}, status=error.status)
    return redirect("web:interview", pk=interview.pk)


def _detail_page(
    request: HttpRequest,
    interview: Interview,
    *,
    errors: dict[int, str] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    items = list(interview.items.all())
    # After a refused POST the form shows what the learner typed, not what was saved.
    posted = request.POST if request.method == "POST" and interview.is_open else None
    rows = [
        {
            "item": item,
            "answer": posted.get(f"answer-{item.position}", "") if posted else item.answer,
            "grade": posted.get(f"grade-{item.position}") if posted else str(item.self_grade),
            "error": (errors or {}).get(item.position, ""),
        }
        for item in items
    ]
    context: dict[str, Any] = {
        "interview": interview,
        "items": items,
        "rows": rows,
        "self_grades": [(str(value), label) for value, label in SELF_GRADES],
        "error": error,
    }
    if interview.status != InterviewStatus.OPEN:
        graded = [item for item in items if item.self_grade is not None]
        cards = Card.objects.owned_by(interview.user).filter(
            question__in=[item.question_id for item in graded]
        )
        due = {card.question_id: card.due for card in cards}
        context["outcomes"] = {
            item.position: {
                "rating": Rating(int(scheduling.rating_for_self_grade(item.self_grade))).label,
                "due": due.get(item.question_id),
            }
            for item in graded
            if item.self_grade is not None
        }
        context["back_in_review"] = [item for item in graded if (item.self_grade or 0) <= 1]
    return render(request, "web/interviews/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    services.interview_close_overdue(user=user)
    interview = get_object_or_404(selectors.interview_detail(user=user), pk=pk)
    if request.method == "GET":
        return _detail_page(request, interview)

    # Validate every answer first: nothing is saved unless the whole form is right.
    answers: dict[int, dict[str, Any]] = {}
    errors: dict[int, str] = {}
    for item in interview.items.all():
        text = request.POST.get(f"answer-{item.position}", "")
        grade = request.POST.get(f"grade-{item.position}")
        if grade is None and not text.strip():
            continue  # not answered (yet)
        if grade is None:
            # When the clock sends the form there is no time left to ask for a grade.
            if "timeout" not in request.POST:
                errors[item.position] = "Grade your answer before saving it."
            continue
        form = InterviewAnswerSerializer(data={"answer": text, "self_grade": grade})
        if form.is_valid():
            answers[item.position] = form.validated_data
        else:
            errors[item.position] = " ".join(flat_messages(form.errors))
    if errors:
        return _detail_page(request, interview, errors=errors, status=400)
    finishing = "finish" in request.POST
    try:
        with transaction.atomic():
            for position, answer in answers.items():
                services.interview_answer(interview=interview, position=position, **answer)
            if finishing:
                services.interview_finish(interview=interview)
    except DomainError as error:
        # The rollback also undid the service's closing of an overdue interview: redo it.
        services.interview_close_overdue(user=user)
        interview = get_object_or_404(selectors.interview_detail(user=user), pk=pk)
        return _detail_page(request, interview, error=error.detail, status=error.status)
    if finishing:
        messages.success(request, "Interview finished: here is how it went.")
    else:
        messages.success(request, f"Saved {len(answers)} answer{'s' if len(answers) != 1 else ''}.")
    return redirect("web:interview", pk=interview.pk)
