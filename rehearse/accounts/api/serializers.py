"""Request and response shapes of the accounts API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from rehearse.accounts.models import User
from rehearse.accounts.roles import roles_of
from rehearse.core.serializers import RehearseModelSerializer, StrictFieldsMixin

PROFILE_FIELDS = (
    "display_name",
    "time_zone",
    "target_role",
    "interview_date",
    "daily_review_limit",
)


class RegisterSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    display_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    time_zone = serializers.CharField(max_length=64, required=False)


class CredentialsSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class RefreshSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    refresh = serializers.CharField(max_length=4096, trim_whitespace=False)


class LogoutSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    refresh = serializers.CharField(max_length=4096, required=False, trim_whitespace=False)


class TokenPairSerializer(serializers.Serializer[Any]):
    access = serializers.CharField(help_text="Short-lived access token: Authorization: Bearer …")
    refresh = serializers.CharField(help_text="Refresh token: exchange it once for a new pair.")


class PasswordChangeSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class ProfileSerializer(StrictFieldsMixin, RehearseModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ("id", "email", *PROFILE_FIELDS, "roles", "is_staff", "date_joined")
        read_only_fields = ("id", "email", "roles", "is_staff", "date_joined")

    def get_roles(self, user: User) -> list[str]:
        return roles_of(user)
