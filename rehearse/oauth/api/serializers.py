"""Request and response shapes of the client registration API.

Grant types are named as in OAuth2 (``authorization_code``, ``client_credentials``);
the toolkit stores them with hyphens. The secret appears in one response only: the
one to the POST that created the client.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rehearse.core.serializers import StrictFieldsMixin, UTCDateTimeField
from rehearse.oauth import services
from rehearse.oauth.scopes import SCOPES

GRANT_TYPE_NAMES = {
    services.AUTHORIZATION_CODE: "authorization_code",
    services.CLIENT_CREDENTIALS: "client_credentials",
}
GRANT_TYPE_VALUES = {name: value for value, name in GRANT_TYPE_NAMES.items()}

_SCOPE_LIST = serializers.ListField(child=serializers.ChoiceField(choices=list(SCOPES)))
_URI_LIST = serializers.ListField(child=serializers.URLField(max_length=2000))


class ApplicationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    client_id = serializers.CharField(read_only=True)
    client_type = serializers.ChoiceField(choices=list(services.CLIENT_TYPES), read_only=True)
    grant_type = serializers.SerializerMethodField()
    redirect_uris = serializers.SerializerMethodField()
    allowed_scopes = serializers.SerializerMethodField()
    created = UTCDateTimeField(read_only=True)
    updated = UTCDateTimeField(read_only=True)

    @extend_schema_field(serializers.ChoiceField(choices=list(GRANT_TYPE_VALUES)))
    def get_grant_type(self, application: Any) -> str:
        return GRANT_TYPE_NAMES.get(application.authorization_grant_type, "")

    @extend_schema_field(_URI_LIST)
    def get_redirect_uris(self, application: Any) -> list[str]:
        return list(application.redirect_uris.split())

    @extend_schema_field(_SCOPE_LIST)
    def get_allowed_scopes(self, application: Any) -> list[str]:
        policy = getattr(application, "policy", None)
        return policy.scopes if policy is not None else []


class NewApplicationSerializer(ApplicationSerializer):
    client_secret = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Shown this once: rehearse keeps only a hash. Null for a public client, which "
            "has no secret."
        ),
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance.application)
        data["client_secret"] = instance.client_secret
        return data


class ApplicationCreateSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    name = serializers.CharField(max_length=255)
    client_type = serializers.ChoiceField(
        choices=list(services.CLIENT_TYPES),
        help_text="confidential: a server that can keep a secret; public: a browser or "
        "mobile app, which cannot (it gets no secret and must use PKCE).",
    )
    grant_type = serializers.ChoiceField(
        choices=list(GRANT_TYPE_VALUES),
        help_text="authorization_code (with PKCE, acting for a user who consents) or "
        "client_credentials (a server acting for itself: questions:read only).",
    )
    redirect_uris = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        max_length=services.MAX_REDIRECT_URIS,
        required=False,
        default=list,
        help_text="Exact URIs the authorization code may be sent to (https).",
    )
    allowed_scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SCOPES)), max_length=len(SCOPES)
    )

    def to_internal_value(self, data: Any) -> Any:
        values = super().to_internal_value(data)
        values["grant_type"] = GRANT_TYPE_VALUES[values["grant_type"]]
        return values


class ApplicationUpdateSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    name = serializers.CharField(max_length=255, required=False)
    redirect_uris = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        max_length=services.MAX_REDIRECT_URIS,
        required=False,
    )
    allowed_scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SCOPES)),
        max_length=len(SCOPES),
        required=False,
        help_text="Taking a scope away revokes the client's tokens.",
    )
