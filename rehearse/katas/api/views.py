"""The katas API: the catalog, reference results, and graded submissions.

Views translate HTTP to ``rehearse.katas.selectors`` and ``rehearse.katas.services``:
katas are read from the catalog, submissions through the learner's own queryset (another
learner's submission is a 404), and every submission is graded by one service call,
whose refusals (no free grading slot, no sandbox) become 503 problems.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from rehearse.core.problems import PROBLEM_CONTENT_TYPE
from rehearse.core.schema import ProblemSerializer
from rehearse.katas import selectors, services
from rehearse.katas.api import serializers as s
from rehearse.katas.catalog import KATAS, Kata
from rehearse.katas.models import Submission

SLUG_PARAMETER = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(KATAS), description="The kata."
)


@extend_schema_view(retrieve=extend_schema(parameters=[SLUG_PARAMETER]))
class KataViewSet(viewsets.ViewSet):
    """The recursion katas: what to write, visible examples, and the limits of grading."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=s.KataSummarySerializer(many=True))
    def list(self, request: Request) -> Response:
        """Every kata, in catalog order (not paginated: there are five)."""
        return Response(s.KataSummarySerializer(selectors.kata_list(), many=True).data)

    @extend_schema(responses=s.KataSerializer)
    def retrieve(self, request: Request, slug: str) -> Response:
        """One kata: its Markdown statement, signature, visible examples and limits."""
        return Response(s.KataSerializer(selectors.kata_get(slug=slug)).data)

    @extend_schema(
        parameters=[SLUG_PARAMETER],
        request=s.RunRequestSerializer,
        responses=s.RunResultSerializer,
    )
    def run(self, request: Request, slug: str) -> Response:
        """What the reference implementation returns for ``args``. Inputs are validated
        and capped (e.g. Fibonacci n ≤ 10,000, Hanoi n ≤ 12): over a cap is a 400 that
        names it."""
        kata = selectors.kata_get(slug=slug)
        serializer = s.RunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        args = serializer.validated_data["args"]
        result = selectors.kata_reference_result(kata=kata, args=args)
        data = {"kata": kata.slug, "call": s.call_text(kata, args), "result": s.json_value(result)}
        return Response(s.RunResultSerializer(data).data)


@extend_schema_view(
    list=extend_schema(parameters=[SLUG_PARAMETER]),
    retrieve=extend_schema(parameters=[SLUG_PARAMETER]),
)
class SubmissionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Submission]
):
    """Your submissions for a kata, newest first. POST code to have it graded in the
    sandbox: the answer carries the verdict and one result per test."""

    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []
    # create also declares its 503 itself: core.schema has no generic 503 description.
    extra_problem_codes = {"POST": ["503"]}
    kata: Kata

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication first: 401, then 404
        self.kata = selectors.kata_get(slug=kwargs["slug"])

    def get_queryset(self) -> QuerySet[Submission]:
        user = self.request.user
        if self.action == "list":
            return selectors.submission_list(user=user, kata=self.kata)  # type: ignore[arg-type]
        return selectors.submission_detail(user=user, kata=self.kata)  # type: ignore[arg-type]

    def get_serializer_class(self) -> type[Any]:
        if self.action == "list":
            return s.SubmissionSummarySerializer
        return s.SubmissionSerializer

    @extend_schema(
        parameters=[SLUG_PARAMETER],
        request=s.SubmissionCreateSerializer,
        responses={
            201: s.SubmissionSerializer,
            (503, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer,
                description=(
                    "Not graded, nothing stored: every grading slot is busy (type "
                    "/problems/grader-busy, with Retry-After), or the sandbox cannot run "
                    "(/problems/sandbox-unavailable)."
                ),
            ),
        },
    )
    def create(self, request: Request, slug: str) -> Response:
        """Grade your code against every test of the kata, and keep it with its verdict.

        The verdict is ``passed``, ``failed``, ``error``, ``timeout``, ``memory``,
        ``not_recursive`` or ``refused``. Grading takes well under a second for a correct
        solution and up to the kata's ``run_seconds`` + 3 s for one that hangs. When every
        grading slot of the server is busy the answer is 503 with ``Retry-After``, and
        nothing is stored."""
        serializer = s.SubmissionCreateSerializer(data=request.data, context={"kata": self.kata})
        serializer.is_valid(raise_exception=True)
        submission = services.submission_create(
            user=request.user,  # type: ignore[arg-type]
            kata=self.kata,
            code=serializer.validated_data["code"],
        )
        location = reverse(
            "kata-submission-detail",
            kwargs={"slug": self.kata.slug, "pk": submission.pk},
            request=request,
        )
        return Response(
            s.SubmissionSerializer(submission).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )
