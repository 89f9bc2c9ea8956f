"""User management for admins (``is_staff``): list and filter accounts, change them,
and set their roles.

    GET   /api/v1/users/              ?role= &is_active= &is_staff= &search= &ordering=
    GET   /api/v1/users/{id}/
    PATCH /api/v1/users/{id}/         profile fields and is_active
    PUT   /api/v1/users/{id}/roles/   {"roles": ["author", "moderator"]}

Whether someone is an admin is decided in the admin site (or ``createsuperuser``),
not here: ``is_staff`` is read-only in this API, so a stolen admin token cannot mint
more admins. Every change is a service in ``rehearse.accounts.roles``.
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from rehearse.accounts.api.serializers import PROFILE_FIELDS
from rehearse.accounts.models import User
from rehearse.accounts.roles import Role, roles_of, user_admin_update, user_set_roles
from rehearse.core.serializers import (
    FastRepresentationMixin,
    RehearseModelSerializer,
    StrictFieldsMixin,
)

ROLE_NAMES = [role.value for role in Role]
MANAGED_FIELDS = (
    "id",
    "email",
    *PROFILE_FIELDS,
    "is_active",
    "is_staff",
    "roles",
    "date_joined",
    "last_login",
)
READ_ONLY_FIELDS = ("id", "email", "is_staff", "roles", "date_joined", "last_login")
_ROLE_LIST = serializers.ListField(child=serializers.ChoiceField(choices=ROLE_NAMES))


class ManagedUserSerializer(FastRepresentationMixin, RehearseModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = MANAGED_FIELDS
        read_only_fields = MANAGED_FIELDS

    @extend_schema_field(_ROLE_LIST)
    def get_roles(self, user: User) -> list[str]:
        return roles_of(user)


class ManagedUserUpdateSerializer(StrictFieldsMixin, RehearseModelSerializer):
    roles = serializers.ListField(read_only=True)

    class Meta:
        model = User
        fields = MANAGED_FIELDS
        read_only_fields = READ_ONLY_FIELDS


class RolesSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=ROLE_NAMES),
        max_length=len(ROLE_NAMES),
        help_text="The roles the user has from now on; learner is always kept.",
    )


_FLAG = [("true", "true"), ("false", "false")]


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(
        field_name="groups__name", choices=[(name, name) for name in ROLE_NAMES]
    )
    # ChoiceFilter, not BooleanFilter: "is_active=maybe" must be a 400, not ignored.
    is_active = django_filters.ChoiceFilter(choices=_FLAG, method="filter_flag")
    is_staff = django_filters.ChoiceFilter(choices=_FLAG, method="filter_flag")
    search = django_filters.CharFilter(
        method="filter_search", max_length=254, help_text="Part of the email or display name."
    )
    ordering = django_filters.OrderingFilter(
        fields=(("email", "email"), ("date_joined", "joined")),
        help_text="email or joined; prefix with - to reverse. Default: -joined.",
    )

    class Meta:
        model = User
        fields: list[str] = []

    def filter_flag(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(**{name: value == "true"})

    def filter_search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(Q(email__icontains=value) | Q(display_name__icontains=value))


@extend_schema_view(
    list=extend_schema(summary="Accounts, newest first: admins."),
    retrieve=extend_schema(summary="One account: admins."),
    partial_update=extend_schema(
        summary="Change an account's profile or deactivate it: admins.",
        request=ManagedUserUpdateSerializer,
        responses={200: ManagedUserSerializer},
    ),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[User]):
    """Accounts and their roles, for admins (``is_staff``)."""

    serializer_class = ManagedUserSerializer
    filterset_class = UserFilter
    permission_classes = [IsAdminUser]
    extra_problem_codes = {"PATCH": ["409"]}  # an admin deactivating themselves

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.prefetch_related("groups").order_by("-date_joined", "-id")

    @property
    def admin(self) -> User:
        return cast(User, self.request.user)

    def answer(self, user: User) -> Response:
        return Response(ManagedUserSerializer(self.get_queryset().get(pk=user.pk)).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        serializer = ManagedUserUpdateSerializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self.answer(user_admin_update(user=user, by=self.admin, **serializer.validated_data))

    @extend_schema(
        summary="Replace an account's roles (learner is always kept): admins.",
        request=RolesSerializer,
        responses={200: ManagedUserSerializer},
    )
    @action(detail=True, methods=["put"], filterset_class=None)
    def roles(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        serializer = RolesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_set_roles(user=user, roles=serializer.validated_data["roles"], by=self.admin)
        return self.answer(user)


router = SimpleRouter()
router.register("users", UserViewSet, basename="user")
urlpatterns = router.urls
