"""The question bank: topics, the filtered question list, one question, enrolment."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from rehearse.accounts.models import User
from rehearse.practice import selectors as practice_selectors
from rehearse.practice import services as practice_services
from rehearse.practice.models import Enrolment
from rehearse.questions import selectors
from rehearse.questions.api.filters import QuestionFilter
from rehearse.questions.models import Difficulty, Topic

PAGE_SIZE = 20
# "See it in rehearse: `rehearse/questions/services.py`, `...`" closes many answers.
SEE_IT_LINE = re.compile(r"^See it in rehearse:(?P<paths>.*)$", re.MULTILINE)
CODE_PATH = re.compile(r"`([\w./-]+)`")


def see_it_in_rehearse(answer: str) -> list[str]:
    """The repository paths an answer points to as its worked example."""
    return [
        path for match in SEE_IT_LINE.finditer(answer) for path in CODE_PATH.findall(match["paths"])
    ]


@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = selectors.topic_list(user=request.user).order_by("title")
    enrolled: set[int] = set()
    if request.user.is_authenticated:
        enrolled = set(
            practice_selectors.enrolment_list(user=request.user).values_list("topic_id", flat=True)
        )
    return render(request, "web/bank/topics.html", {"topics": topics, "enrolled": enrolled})


def _enrolment(request: HttpRequest, topic: Topic) -> Enrolment | None:
    if not request.user.is_authenticated:
        return None
    return practice_selectors.enrolment_list(user=request.user).filter(topic=topic).first()


@require_GET
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(selectors.topic_list(user=request.user), slug=slug)
    questions = (
        selectors.question_list(user=request.user)
        .filter(topic=topic)
        .order_by("difficulty", "title", "id")
    )
    context = {"topic": topic, "questions": questions, "enrolment": _enrolment(request, topic)}
    return render(request, "web/bank/topic.html", context)


@login_required
@require_POST
def enrolment(request: HttpRequest, slug: str) -> HttpResponse:
    """Enrol in a topic (its questions become cards) or, with ``leave``, stop studying it."""
    user: User = request.user  # type: ignore[assignment]
    topic = get_object_or_404(Topic, slug=slug)
    if "leave" in request.POST:
        current = _enrolment(request, topic)
        if current is not None:
            practice_services.enrolment_delete(enrolment=current)
            messages.success(request, f"You left {topic.title}; its cards are suspended.")
    else:
        result = practice_services.enrolment_create(user=user, topic=topic)
        messages.success(
            request,
            f"Enrolled in {topic.title}: {result.cards_created} new "
            f"card{'s' if result.cards_created != 1 else ''} in your review queue.",
        )
    return redirect("web:topic", slug=topic.slug)


@require_GET
def question_list(request: HttpRequest) -> HttpResponse:
    """The bank, filtered with the API's own filter set (same parameters, same rules)."""
    filters = QuestionFilter(
        request.GET, queryset=selectors.question_list(user=request.user), request=request
    )
    status = 200
    if filters.is_valid():
        questions = filters.qs
        if "ordering" not in request.GET:
            questions = questions.order_by("topic__title", "difficulty", "title", "id")
    else:
        questions = selectors.question_list(user=request.user).none()
        status = 400
    page = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": filters.form,
        "page": page,
        "query": query.urlencode(),
        "topics": selectors.topic_list(user=request.user).order_by("title"),
        "difficulties": [label for _, label in Difficulty.choices],
    }
    return render(request, "web/bank/questions.html", context, status=status)


@require_GET
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(selectors.question_list(user=request.user), pk=pk)
    source = (settings.SOURCE_CODE_URL or "").rstrip("/")
    links = [
        (path, f"{source}/{path}" if source else "") for path in see_it_in_rehearse(question.answer)
    ]
    return render(request, "web/bank/question.html", {"question": question, "see_it_links": links})
