"""The practice API: cards, the due queue, reviews, interviews, progress and exports.

Views only declare and delegate: every object is read through the learner's own
queryset (``owned_by``), so another learner's card is a 404; every write is one call
to a service, whose domain errors become problem+json.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from rehearse.practice import exports, progress_cache, selectors, services
from rehearse.practice.api import serializers as s
from rehearse.practice.api.pagination import DueQueuePagination
from rehearse.practice.models import Card, Enrolment, Interview, Rating, ReviewLog

IsAuthenticated = permissions.IsAuthenticated


def _created(request: Request, data: Any, view_name: str, pk: int) -> Response:
    location = reverse(view_name, kwargs={"pk": pk}, request=request)
    return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


# -- enrolments and cards ------------------------------------------------------------


class EnrolmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Enrolment],
):
    """Topics you study. Enrolling creates a card for each practicable question of the
    topic; enrolling again adds questions published since (200). Unenrolling suspends
    the topic's cards and keeps their history."""

    serializer_class = s.EnrolmentSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = "[0-9]+"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Enrolment]:
        return selectors.enrolment_list(user=self.request.user)  # type: ignore[arg-type]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.enrolment_create(
            user=request.user,  # type: ignore[arg-type]
            topic=serializer.validated_data["topic"],
        )
        result.enrolment.cards_created = result.cards_created  # type: ignore[attr-defined]
        data = self.get_serializer(result.enrolment).data
        if result.created:
            return _created(request, data, "practice-enrolment-detail", result.enrolment.pk)
        return Response(data)

    def perform_destroy(self, instance: Enrolment) -> None:
        services.enrolment_delete(enrolment=instance)


class CardViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Card],
):
    """Your cards, soonest due first. Create one for a single question, or enrol in a
    topic; suspend, bury until tomorrow (your time zone) or reset one."""

    serializer_class = s.CardSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    lookup_value_regex = "[0-9]+"
    extra_problem_codes = {"POST": ["409"]}

    def get_queryset(self) -> QuerySet[Card]:
        return selectors.card_list(user=self.request.user).order_by("due", "id")  # type: ignore[arg-type]

    def get_serializer_class(self) -> type[Any]:
        if self.action == "create":
            return s.CardCreateSerializer
        return s.CardSerializer

    @extend_schema(request=s.CardCreateSerializer, responses={201: s.CardSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.CardCreateSerializer(
            data=request.data,
            questions=selectors.practicable_questions(user=request.user),  # type: ignore[arg-type]
        )
        serializer.is_valid(raise_exception=True)
        card = services.card_create(
            user=request.user,  # type: ignore[arg-type]
            question=serializer.validated_data["question"],
        )
        card = self.get_queryset().get(pk=card.pk)
        return _created(request, s.CardSerializer(card).data, "practice-card-detail", card.pk)

    def _act(self, service: Any, **kwargs: Any) -> Response:
        card = self.get_object()
        service(card=card, **kwargs)
        return Response(s.CardSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=s.CardSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str | None = None) -> Response:
        """Take the card out of the queue until you unsuspend it."""
        return self._act(services.card_suspend)

    @extend_schema(request=None, responses=s.CardSerializer)
    @action(detail=True, methods=["post"])
    def unsuspend(self, request: Request, pk: str | None = None) -> Response:
        return self._act(services.card_unsuspend)

    @extend_schema(request=None, responses=s.CardSerializer)
    @action(detail=True, methods=["post"])
    def bury(self, request: Request, pk: str | None = None) -> Response:
        """Hide the card until midnight in your time zone."""
        return self._act(services.card_bury, user=request.user)

    @extend_schema(request=None, responses=s.CardSerializer)
    @action(detail=True, methods=["post"])
    def reset(self, request: Request, pk: str | None = None) -> Response:
        """Forget the card's schedule: it is new again and due now; history is kept."""
        return self._act(services.card_reset)


class DueQueueView(ListAPIView[Card]):
    """Cards due now, oldest due first, at most as many as your daily review limit
    leaves for today (in your time zone). ``reviews_left_today`` says how many."""

    serializer_class = s.CardSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    pagination_class = DueQueuePagination
    queue_length = 0

    def get_queryset(self) -> QuerySet[Card]:
        queue = selectors.due_queue(user=self.request.user, at=timezone.now())  # type: ignore[arg-type]
        self.queue_length = queue.reviews_left_today
        return queue.cards

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        response.data["reviews_left_today"] = self.queue_length
        return response


class ReviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[ReviewLog],
):
    """Your reviews, newest first. POST one to rate a card: ``rating`` is again, hard,
    good or easy; ``duration_ms`` the time you took (1 ms to 1 hour). The answer says
    when the card is due next."""

    serializer_class = s.ReviewSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    lookup_value_regex = "[0-9]+"
    extra_problem_codes = {"POST": ["404", "409"]}

    def get_queryset(self) -> QuerySet[ReviewLog]:
        return selectors.review_log_list(user=self.request.user).order_by("-reviewed_at", "-id")  # type: ignore[arg-type]

    def get_serializer_class(self) -> type[Any]:
        return s.ReviewCreateSerializer if self.action == "create" else s.ReviewSerializer

    @extend_schema(request=s.ReviewCreateSerializer, responses={201: s.ReviewSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        card = get_object_or_404(Card.objects.owned_by(request.user), pk=data["card"])
        log = services.review_record(
            card=card,
            user=request.user,  # type: ignore[arg-type]
            rating=Rating(data["rating"]),
            duration_ms=data["duration_ms"],
        )
        return _created(request, s.ReviewSerializer(log).data, "practice-review-detail", log.pk)


# -- interviews ----------------------------------------------------------------------


class InterviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Interview],
):
    """Timed mock interviews, newest first, with their scores. An interview past its
    time limit is closed (expired) by your next request here; answering or finishing a
    closed interview is a 409."""

    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    lookup_value_regex = "[0-9]+"
    extra_problem_codes = {"POST": ["409"], "PUT": ["409"]}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        services.interview_close_overdue(user=request.user)  # type: ignore[arg-type]

    def get_queryset(self) -> QuerySet[Interview]:
        user = self.request.user
        if self.action == "list":
            return selectors.interview_list(user=user).order_by("-started_at", "-id")  # type: ignore[arg-type]
        if self.action in ("answer", "finish"):
            return Interview.objects.owned_by(user)
        return selectors.interview_detail(user=user)  # type: ignore[arg-type]

    def _detail(self, pk: int) -> dict[str, Any]:
        interview = selectors.interview_detail(user=self.request.user).get(pk=pk)  # type: ignore[arg-type]
        return dict(s.InterviewDetailSerializer(interview).data)

    def get_serializer_class(self) -> type[Any]:
        if self.action == "list":
            return s.InterviewSerializer
        if self.action == "create":
            return s.InterviewCreateSerializer
        if self.action == "answer":
            return s.InterviewAnswerSerializer
        return s.InterviewDetailSerializer

    @extend_schema(
        request=s.InterviewCreateSerializer, responses={201: s.InterviewDetailSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Draw questions from your chosen topics and difficulties and start the clock."""
        serializer = s.InterviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        interview = services.interview_start(user=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return _created(
            request, self._detail(interview.pk), "practice-interview-detail", interview.pk
        )

    @extend_schema(request=s.InterviewAnswerSerializer, responses=s.InterviewItemSerializer)
    @action(detail=True, methods=["put"], url_path=r"items/(?P<position>[0-9]{1,3})")
    def answer(self, request: Request, pk: str | None = None, position: str = "0") -> Response:
        """Answer one question (free text) and grade yourself 0-3; again to change it."""
        interview = self.get_object()
        serializer = s.InterviewAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.interview_answer(
            interview=interview, position=int(position), **serializer.validated_data
        )
        context = {"interview_status": interview.status}
        return Response(s.InterviewItemSerializer(item, context=context).data)

    @extend_schema(request=None, responses=s.InterviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request: Request, pk: str | None = None) -> Response:
        """Close the interview, score it and reschedule the cards of graded questions."""
        interview = services.interview_finish(interview=self.get_object())
        return Response(self._detail(interview.pk))


# -- progress ------------------------------------------------------------------------


class LearnerView(APIView):
    """A read of the signed-in learner's own data."""

    permission_classes = [IsAuthenticated]


class TopicMasteryView(LearnerView):
    @extend_schema(responses=s.TopicMasterySerializer(many=True))
    def get(self, request: Request) -> Response:
        """Per topic: your cards, how many you reviewed, and your mastery (mean FSRS
        retrievability now; recomputed after each change to your cards and daily)."""
        rows = progress_cache.topic_mastery(user=request.user, at=timezone.now())  # type: ignore[arg-type]
        return Response(s.TopicMasterySerializer(rows, many=True).data)


class ActivityView(LearnerView):
    @extend_schema(
        parameters=[OpenApiParameter("days", OpenApiTypes.INT, description="1 to 366; 30.")],
        responses=s.ActivitySerializer,
    )
    def get(self, request: Request) -> Response:
        """Reviews per day (your days) over the last ``days`` days, by rating."""
        query = s.ActivityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        activity = selectors.recent_activity(
            user=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
            days=query.validated_data["days"],
        )
        return Response(s.ActivitySerializer(activity).data)


class StreakView(LearnerView):
    @extend_schema(responses=s.StreakSerializer)
    def get(self, request: Request) -> Response:
        """Days in a row with at least one review (your days), and your longest run."""
        today = selectors.learner_today(user=request.user, at=timezone.now())  # type: ignore[arg-type]
        streak = selectors.review_streak(user=request.user, today=today)  # type: ignore[arg-type]
        return Response(
            s.StreakSerializer(
                {
                    "today": today,
                    "current": streak.current,
                    "longest": streak.longest,
                    "last_day": streak.last_day,
                }
            ).data
        )


class ForecastView(LearnerView):
    @extend_schema(responses=s.ForecastSerializer)
    def get(self, request: Request) -> Response:
        """Cards coming due on each of your next 7 days (overdue ones count today)."""
        days = selectors.due_forecast(user=request.user, at=timezone.now())  # type: ignore[arg-type]
        return Response(s.ForecastSerializer({"days": days}).data)


# -- export --------------------------------------------------------------------------


class _FileRenderer(BaseRenderer):
    """Lets content negotiation accept a file type; the views answer the bytes."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


class ApkgRenderer(_FileRenderer):
    media_type = "application/apkg"
    format = "apkg"


class CSVRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'


class ExportView(LearnerView):
    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request: Request) -> StreamingHttpResponse:
        """All your cards, reviews and interviews as one JSON document (streamed)."""
        user = request.user
        at = timezone.now()
        header = {
            "format": "rehearse-practice/1",
            "exported_at": at,
            "time_zone": user.time_zone,  # type: ignore[union-attr]
        }
        body = exports.learner_json(
            header=header,
            cards=selectors.export_cards(user=user),  # type: ignore[arg-type]
            reviews=selectors.export_reviews(user=user),  # type: ignore[arg-type]
            interviews=selectors.export_interviews(user=user),  # type: ignore[arg-type]
        )
        response = StreamingHttpResponse(body, content_type="application/json")
        _attachment(response, f"rehearse-practice-{at:%Y%m%d}.json")
        return response


class _DeckView(LearnerView):
    def deck(self, request: Request) -> list[Any]:
        query = s.DeckQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return list(
            selectors.deck_questions(
                user=request.user,  # type: ignore[arg-type]
                topic_slugs=query.validated_data.get("topic", []),
            )
        )


DECK_PARAMETERS = [
    OpenApiParameter(
        "topic", OpenApiTypes.STR, many=True, description="Topic slugs; all your cards if none."
    )
]


class AnkiPackageView(_DeckView):
    renderer_classes = [JSONRenderer, ApkgRenderer]

    @extend_schema(
        parameters=DECK_PARAMETERS, responses={(200, "application/apkg"): OpenApiTypes.BINARY}
    )
    def get(self, request: Request) -> HttpResponse:
        """The questions of your cards as an Anki package (one sub-deck per topic)."""
        at = timezone.now()
        response = HttpResponse(
            exports.anki_package(self.deck(request), at=at), content_type="application/apkg"
        )
        _attachment(response, f"rehearse-{at:%Y%m%d}.apkg")
        return response


class AnkiCSVView(_DeckView):
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(parameters=DECK_PARAMETERS, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request) -> HttpResponse:
        """The questions of your cards as CSV with Anki's import header lines."""
        at = timezone.now()
        response = HttpResponse(
            exports.anki_csv(self.deck(request)), content_type="text/csv; charset=utf-8"
        )
        _attachment(response, f"rehearse-{at:%Y%m%d}.csv")
        return response
