"""The accounts API: sign-up, tokens, sign-out, password, profile.

Views only translate HTTP to the services in ``rehearse.accounts.services`` and
``rehearse.accounts.tokens``; every rule lives there.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout as session_logout
from django.contrib.auth import update_session_auth_hash
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from rehearse.accounts import services, tokens
from rehearse.accounts.api.serializers import (
    CredentialsSerializer,
    LogoutSerializer,
    PasswordChangeSerializer,
    ProfileSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
)
from rehearse.accounts.models import User
from rehearse.core.throttling import ScopedRateThrottle


class PublicAuthView(APIView):
    """Endpoints a client calls before it has credentials: throttled per address."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (ScopedRateThrottle,)


class RegisterView(PublicAuthView):
    throttle_scope = "register"

    @extend_schema(request=RegisterSerializer, responses={201: ProfileSerializer})
    def post(self, request: Request) -> Response:
        """Create an account (a learner). Sign in with POST /api/v1/auth/token/ next."""
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return Response(
            ProfileSerializer(user).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("me", request=request)},
        )


class TokenObtainView(PublicAuthView):
    throttle_scope = "token"
    extra_problem_codes = {"POST": ["401"]}

    @extend_schema(request=CredentialsSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        """Exchange email and password for an access token and a refresh token."""
        serializer = CredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = services.user_sign_in(**serializer.validated_data)
        return Response(pair.as_dict())


class TokenRefreshView(PublicAuthView):
    throttle_scope = "refresh"
    extra_problem_codes = {"POST": ["401"]}

    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        """Exchange a refresh token, once, for a new pair (the old one is revoked)."""
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = tokens.tokens_refresh(raw_refresh=serializer.validated_data["refresh"])
        return Response(pair.as_dict())


class LogoutView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(request=LogoutSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        """Sign out: revoke this access token's session and the given refresh token."""
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token: Any = request.auth  # a validated JWT, or None for a session
        session_id = token.get(tokens.SESSION_CLAIM) if token is not None else None
        tokens.tokens_logout(
            user=request.user,  # type: ignore[arg-type]
            raw_refresh=serializer.validated_data.get("refresh"),
            session_id=session_id,
        )
        session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    permission_classes = (IsAuthenticated,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "password"

    @extend_schema(request=PasswordChangeSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        """Change the password. Every earlier token stops working; a new pair is returned."""
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        pair = services.user_change_password(user=user, **serializer.validated_data)
        if request._request.session.session_key:
            update_session_auth_hash(request._request, user)  # keep this browser signed in
        return Response(pair.as_dict())


class MeView(generics.RetrieveUpdateAPIView[User]):
    """Your profile. PATCH changes display name, time zone, target role, interview date
    and daily review limit."""

    serializer_class = ProfileSerializer
    permission_classes = (IsAuthenticated,)
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def perform_update(self, serializer: Any) -> None:
        services.user_update_profile(user=self.get_object(), **serializer.validated_data)
