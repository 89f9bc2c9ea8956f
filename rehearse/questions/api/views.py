"""The question bank's API: topics, and questions with their authoring workflow.

Who may do what is declared in ``rehearse.questions.permissions``; which questions a
user can see at all is ``Question.objects.visible_to`` (through the selector) in
``get_queryset``; every write is one service call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from rehearse.accounts.models import User
from rehearse.questions import selectors, services
from rehearse.questions.api.filters import MAX_LENGTHS, QuestionFilter
from rehearse.questions.api.serializers import (
    EmptyBodySerializer,
    QuestionSerializer,
    QuestionTransitionSerializer,
    QuestionWriteSerializer,
    RejectSerializer,
    TopicSerializer,
    UnpublishSerializer,
)
from rehearse.questions.models import Question, Topic
from rehearse.questions.permissions import QuestionAccess


class TopicViewSet(viewsets.ReadOnlyModelViewSet[Topic]):
    """Topics of the bank, with how many questions you can see in each."""

    serializer_class = TopicSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Topic]:
        return selectors.topic_list(user=self.request.user).order_by("title")


# The actions whose outcome depends on the question's state: 409 names that state.
STATEFUL_ACTIONS = frozenset(
    {"update", "partial_update", "destroy", "submit", "publish", "reject", "unpublish"}
)

_QUESTION = OpenApiResponse(QuestionSerializer, description="The question as it is now.")


def _transition_schema(summary: str, request: type[serializers.Serializer[Any]]) -> Any:
    return extend_schema(summary=summary, request=request, responses={200: _QUESTION})


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(name, {"type": "string", "maxLength": length})
            for name, length in MAX_LENGTHS.items()
        ]
    ),
    create=extend_schema(
        summary="Propose a question (a draft); authors and moderators.",
        request=QuestionWriteSerializer,
        responses={201: _QUESTION},
    ),
    update=extend_schema(
        summary="Replace a question: authors their drafts, moderators any.",
        request=QuestionWriteSerializer,
        responses={200: _QUESTION},
    ),
    partial_update=extend_schema(
        summary="Change some fields: authors their drafts, moderators any.",
        request=QuestionWriteSerializer,
        responses={200: _QUESTION},
    ),
    destroy=extend_schema(
        summary="Delete a question: authors their drafts, moderators any.",
        request=None,
        responses={204: OpenApiResponse(description="Deleted.")},
    ),
)
class QuestionViewSet(viewsets.ModelViewSet[Any]):
    """Questions: anonymous users see the published bank; filter, search and order it.

    Authors propose drafts and submit them for review; moderators publish, reject and
    unpublish them. Every step is recorded in the question's history.
    """

    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter
    permission_classes = [QuestionAccess]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.question_list(user=self.request.user).order_by("-created_at", "-id")

    @property
    def extra_problem_codes(self) -> dict[str, list[str]]:
        """Read by ProblemAutoSchema: which operations document a 409."""
        if self.action not in STATEFUL_ACTIONS:
            return {}
        return {method: ["409"] for method in ("POST", "PUT", "PATCH", "DELETE")}

    # -- helpers: a body validated, a question answered --------------------------------

    @property
    def actor(self) -> User:
        # Every action that writes requires a permission only a signed-in user holds.
        return cast(User, self.request.user)

    def body(self, serializer_class: type[serializers.Serializer[Any]], **kwargs: Any) -> Any:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def answer(self, question: Question, **kwargs: Any) -> Response:
        fresh = self.get_queryset().get(pk=question.pk)
        return Response(QuestionSerializer(fresh).data, **kwargs)

    # -- CRUD -------------------------------------------------------------------------

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.body(QuestionWriteSerializer)
        question = services.question_create(author=self.actor, **data)
        location = reverse("question-detail", kwargs={"pk": question.pk}, request=request)
        return self.answer(question, status=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        data = self.body(QuestionWriteSerializer, partial=kwargs.get("partial", False))
        return self.answer(services.question_update(question=question, by=self.actor, **data))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        self.body(EmptyBodySerializer)
        services.question_delete(question=question, by=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # -- workflow ---------------------------------------------------------------------

    def move(
        self,
        service: Callable[..., Question],
        body_class: type[serializers.Serializer[Any]] = EmptyBodySerializer,
    ) -> Response:
        question = self.get_object()
        data = self.body(body_class)
        return self.answer(service(question=question, by=self.actor, **data))

    @_transition_schema(
        "Submit a draft for review: its author, or a moderator.", EmptyBodySerializer
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self.move(services.question_submit)

    @_transition_schema("Publish a question in review: moderators.", EmptyBodySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        return self.move(services.question_publish)

    @_transition_schema("Send a question in review back to draft, with a reason.", RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self.move(services.question_reject, RejectSerializer)

    @_transition_schema("Take a published question back to draft: moderators.", UnpublishSerializer)
    @action(detail=True, methods=["post"])
    def unpublish(self, request: Request, pk: str | None = None) -> Response:
        return self.move(services.question_unpublish, UnpublishSerializer)

    @extend_schema(
        summary="The question's audit trail, oldest first: moderators and admins.",
        responses={200: QuestionTransitionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        question = self.get_object()
        transitions = selectors.question_history(question)
        page = self.paginate_queryset(transitions)
        return self.get_paginated_response(QuestionTransitionSerializer(page, many=True).data)
