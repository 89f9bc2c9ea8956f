"""Client registration for admins (``is_staff``), beside the admin site.

    GET    /api/v1/oauth/applications/
    POST   /api/v1/oauth/applications/        201, with the client secret (this once)
    GET    /api/v1/oauth/applications/{id}/
    PATCH  /api/v1/oauth/applications/{id}/   name, redirect_uris, allowed_scopes
    DELETE /api/v1/oauth/applications/{id}/   its grants and tokens stop working

OAuth2 tokens never reach this (see ``rehearse.oauth.scopes``): a client cannot
register clients. Every change is a service in ``rehearse.oauth.services``.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from oauth2_provider.models import get_application_model
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from rehearse.accounts.models import User
from rehearse.oauth import services
from rehearse.oauth.api.serializers import (
    ApplicationCreateSerializer,
    ApplicationSerializer,
    ApplicationUpdateSerializer,
    NewApplicationSerializer,
)

Application = get_application_model()


@extend_schema_view(
    list=extend_schema(summary="Registered OAuth2 clients, newest first: admins."),
    retrieve=extend_schema(summary="One OAuth2 client (never its secret): admins."),
    create=extend_schema(
        summary="Register an OAuth2 client; the answer carries its secret, this once.",
        request=ApplicationCreateSerializer,
        responses={201: NewApplicationSerializer},
    ),
    partial_update=extend_schema(
        summary="Rename a client or change its redirect URIs or scopes: admins.",
        request=ApplicationUpdateSerializer,
        responses={200: ApplicationSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a client; its tokens stop working at once: admins.",
        responses={204: OpenApiResponse(description="Deleted.")},
    ),
)
class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Any],
):
    serializer_class = ApplicationSerializer
    permission_classes = [IsAdminUser]
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        return Application.objects.select_related("policy").order_by("-created", "-id")

    @property
    def admin(self) -> User:
        return cast(User, self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.application_create(by=self.admin, **serializer.validated_data)
        location = reverse(
            "oauth-application-detail", kwargs={"pk": created.application.pk}, request=request
        )
        return Response(
            NewApplicationSerializer(created).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        application = self.get_object()
        serializer = ApplicationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.application_update(
            application=application, by=self.admin, **serializer.validated_data
        )
        return Response(ApplicationSerializer(self.get_queryset().get(pk=application.pk)).data)

    def perform_destroy(self, instance: Any) -> None:
        services.application_delete(application=instance, by=self.admin)
