"""Authoring and moderation pages: an author's questions, the draft form with its
Markdown preview, and the moderators' review queue.

They call the services the question API calls (``rehearse.questions.services``) and
scope objects the way the API does: ``Question.objects.visible_to`` through the
selector (another author's draft is a 404), then ``own_or_moderator`` from the API's
permission table (someone else's published question is a 403). A service's refusal
is shown on the page with its status (400 invalid input, 409 conflict).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rehearse.accounts.models import User
from rehearse.core.exceptions import DomainError
from rehearse.questions import selectors, services
from rehearse.questions.models import Question, QuestionStatus, QuestionTransition
from rehearse.questions.permissions import own_or_moderator
from rehearse.web.forms import (
    PublishForm,
    QuestionDraftForm,
    RejectForm,
    UnpublishForm,
    add_domain_error,
)

AUTHOR_PERMISSION = "questions.add_question"
RECENTLY_PUBLISHED = 10
# Each entry renders two Markdown bodies: a long queue is shown a page at a time (the
# oldest first), which also keeps the page within its weight budget.
QUEUE_SHOWN = 20
# The moves that send a question back to its author, whose reason the author reads.
_BACK_TO_DRAFT = Q(to_status=QuestionStatus.DRAFT)


def _user(request: HttpRequest) -> User:
    # Every view here requires a permission only a signed-in user holds.
    return cast(User, request.user)


def _not_editable(question: Question, user: User) -> services.QuestionNotEditable | None:
    """The service's own refusal if ``user`` may no longer change ``question``.

    Asked of the service so that the rule (authors: drafts only) stays in one place;
    the page then shows the question read-only instead of a form that cannot succeed.
    """
    try:
        services.question_check_editable(question, user)
    except services.QuestionNotEditable as error:
        return error
    return None


def _last_sent_back(question: Question) -> QuestionTransition | None:
    """The last rejection (or unpublishing) of a draft: the reason its author reads."""
    if question.status != QuestionStatus.DRAFT:
        return None
    return selectors.question_history(question).filter(_BACK_TO_DRAFT).last()


# -- the author's questions -----------------------------------------------------------


@dataclass(frozen=True)
class AuthoredQuestion:
    question: Question
    sent_back: QuestionTransition | None


@dataclass(frozen=True)
class StatusGroup:
    status: str
    label: str
    questions: list[AuthoredQuestion]


@login_required
@permission_required(AUTHOR_PERMISSION, raise_exception=True)
@require_GET
def author_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    # One query for the reasons of every draft, newest first (question_history's trail).
    sent_back = Prefetch(
        "transitions",
        queryset=QuestionTransition.objects.filter(_BACK_TO_DRAFT).order_by("-at", "-id"),
        to_attr="sent_back",
    )
    questions = (
        selectors.question_list(user=user)
        .filter(author=user)
        .prefetch_related(sent_back)
        .order_by("-updated_at", "-id")
    )
    groups = {status: StatusGroup(status, label, []) for status, label in QuestionStatus.choices}
    for question in questions:
        transitions: list[QuestionTransition] = getattr(question, "sent_back", [])
        last = transitions[0] if transitions and question.status == QuestionStatus.DRAFT else None
        groups[question.status].questions.append(AuthoredQuestion(question, last))
    return render(request, "web/authoring/home.html", {"groups": list(groups.values())})


# -- the draft form ------------------------------------------------------------------


def _draft_page(
    request: HttpRequest,
    *,
    form: QuestionDraftForm,
    question: Question | None = None,
    preview: bool = False,
    status: int = 200,
    error: DomainError | None = None,
) -> HttpResponse:
    """The draft form, or the question read-only once its author may not change it.

    ``error`` is a service's refusal of something the form does not hold (deleting).
    """
    context: dict[str, Any] = {"form": form, "question": question, "error": error}
    if question is not None:
        refusal = _not_editable(question, _user(request))
        context["sent_back"] = _last_sent_back(question)
        if refusal is not None:
            context["form"] = None
            context["read_only"] = error or refusal
            context["error"] = None
            context["conflict"] = status == 409
    if preview:
        context["preview"] = {
            "prompt": form.data.get("prompt", ""),
            "answer": form.data.get("answer", ""),
        }
    return render(request, "web/authoring/draft.html", context, status=status)


def _save(request: HttpRequest, form: QuestionDraftForm, question: Question | None) -> Question:
    """Create or update the draft from a valid form and, for "submit", submit it.

    Both steps are one transaction: a refused submission leaves nothing half-saved.
    """
    user = _user(request)
    data = form.cleaned_data
    with transaction.atomic():
        if question is None:
            question = services.question_create(author=user, **data)
        else:
            question = services.question_update(question=question, by=user, **data)
        if request.POST.get("action") == "submit":
            question = services.question_submit(question=question, by=user)
    return question


_DRAFT_ACTIONS = frozenset({"save", "submit"})


def _draft_post(request: HttpRequest, question: Question | None) -> HttpResponse:
    form = QuestionDraftForm(request.POST)
    preview = "preview" in request.POST
    action = request.POST.get("action", "save")
    if not preview and action not in _DRAFT_ACTIONS:
        form.is_valid()
        form.add_error(None, "Unknown action: choose Save draft or Submit for review.")
        return _draft_page(request, form=form, question=question, status=400)
    if not form.is_valid():
        return _draft_page(request, form=form, question=question, preview=preview, status=400)
    if preview:
        return _draft_page(request, form=form, question=question, preview=True)
    try:
        saved = _save(request, form, question)
    except DomainError as error:
        add_domain_error(form, error)
        return _draft_page(request, form=form, question=question, status=error.status)
    if action == "submit":
        messages.success(request, f"“{saved.title}” is submitted for review.")
        return redirect("web:author")
    messages.success(request, f"Draft “{saved.title}” saved.")
    return redirect("web:draft-edit", pk=saved.pk)


@login_required
@permission_required(AUTHOR_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def draft_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _draft_post(request, None)
    return _draft_page(request, form=QuestionDraftForm())


def _own_question(request: HttpRequest, pk: int) -> Question:
    """The question as the API's item endpoints find it: 404 unseen, 403 not theirs."""
    user = _user(request)
    question = get_object_or_404(selectors.question_list(user=user), pk=pk)
    if not own_or_moderator(user, question):
        raise PermissionDenied
    return question


def _conflict_page(request: HttpRequest, question: Question, error: DomainError) -> HttpResponse:
    form = QuestionDraftForm(initial=QuestionDraftForm.initial_from(question))
    return _draft_page(request, form=form, question=question, status=error.status, error=error)


@login_required
@permission_required(AUTHOR_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    question = _own_question(request, pk)
    if request.method == "GET":
        form = QuestionDraftForm(initial=QuestionDraftForm.initial_from(question))
        return _draft_page(request, form=form, question=question)
    if request.POST.get("action") == "delete":
        title = question.title
        try:
            services.question_delete(question=question, by=user)
        except DomainError as error:
            return _conflict_page(request, question, error)
        messages.success(request, f"“{title}” deleted.")
        return redirect("web:author")
    refusal = _not_editable(question, user)
    if refusal is not None:
        # What the service would answer to any change: say it before validating input
        # that could never be saved.
        return _conflict_page(request, question, refusal)
    return _draft_post(request, question)


# -- moderation ---------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    question: Question
    reject_form: RejectForm


@dataclass(frozen=True)
class PublishedItem:
    question: Question
    unpublish_form: UnpublishForm


@dataclass(frozen=True)
class Decision:
    form_class: type[forms.Form]
    service: Callable[..., Question]
    done: str


DECISIONS: dict[str, Decision] = {
    "publish": Decision(PublishForm, services.question_publish, "“{title}” is published."),
    "reject": Decision(
        RejectForm, services.question_reject, "“{title}” is sent back to its author."
    ),
    "unpublish": Decision(
        UnpublishForm, services.question_unpublish, "“{title}” is unpublished (a draft again)."
    ),
}


def _moderation_page(
    request: HttpRequest,
    *,
    bound: forms.Form | None = None,
    bound_pk: int | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The queue, oldest submission first, and the latest published questions.

    ``bound`` is a refused decision's form, shown again with its errors on its question.
    """
    user = _user(request)
    visible = selectors.question_list(user=user).select_related("author")
    in_review = (
        visible.filter(status=QuestionStatus.IN_REVIEW)
        .annotate(
            submitted_at=Max(
                "transitions__at",
                filter=Q(transitions__action=QuestionTransition.Action.SUBMIT),
            )
        )
        .order_by(F("submitted_at").asc(nulls_first=True), "created_at", "id")
    )

    def form_for(form_class: type[forms.Form], pk: int) -> Any:
        if bound is not None and bound_pk == pk and isinstance(bound, form_class):
            return bound
        return form_class(auto_id=f"id_{form_class.__name__.lower()}_{pk}_%s")

    queue = [QueueItem(q, form_for(RejectForm, q.pk)) for q in in_review[:QUEUE_SHOWN]]
    published = [
        PublishedItem(q, form_for(UnpublishForm, q.pk))
        for q in visible.filter(status=QuestionStatus.PUBLISHED).order_by(
            F("published_at").desc(nulls_last=True), "-id"
        )[:RECENTLY_PUBLISHED]
    ]
    context = {
        "queue": queue,
        "waiting": in_review.count() if len(queue) == QUEUE_SHOWN else len(queue),
        "published": published,
        "error": error,
    }
    return render(request, "web/authoring/moderation.html", context, status=status)


@login_required
@permission_required(services.MODERATE_PERMISSION, raise_exception=True)
@require_GET
def moderation_queue(request: HttpRequest) -> HttpResponse:
    return _moderation_page(request)


@login_required
@permission_required(services.MODERATE_PERMISSION, raise_exception=True)
@require_POST
def moderation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish, reject (with a reason) or unpublish one question, then back to the queue."""
    question = get_object_or_404(selectors.question_list(user=_user(request)), pk=pk)
    decision = DECISIONS.get(request.POST.get("action", ""))
    if decision is None:
        return _moderation_page(
            request, error="Unknown action: choose Publish, Reject or Unpublish.", status=400
        )
    form = decision.form_class(
        request.POST, auto_id=f"id_{decision.form_class.__name__.lower()}_{pk}_%s"
    )
    if not form.is_valid():
        return _moderation_page(
            request,
            bound=form,
            bound_pk=pk,
            error=f"“{question.title}” was not changed: see the form below.",
            status=400,
        )
    try:
        decision.service(question=question, by=_user(request), **form.cleaned_data)
    except DomainError as error:
        add_domain_error(form, error)
        return _moderation_page(
            request,
            bound=form,
            bound_pk=pk,
            error=f"“{question.title}”: {error.detail}",
            status=error.status,
        )
    messages.success(request, decision.done.format(title=question.title))
    return redirect("web:moderation")
