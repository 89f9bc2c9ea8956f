"""OpenAPI generation: every operation documents the problem+json errors it can return.

Clients (and schemathesis) learn from the schema that a 404 is a problem document
with ``type``/``title``/``status``/``detail``, not an undocumented surprise.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions, serializers

from rehearse.core.problems import PROBLEM_CONTENT_TYPE


class ProblemSerializer(serializers.Serializer[Any]):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="A URI that identifies the kind of problem.")
    title = serializers.CharField(help_text="A short summary of the kind of problem.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="What went wrong this time.")
    errors = serializers.DictField(  # type: ignore[assignment]  # the RFC 9457 member name
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For validation errors: the messages for each field.",
    )


_DESCRIPTIONS = {
    "400": "Bad input: a parameter or the body did not validate.",
    "401": "No credentials, or credentials that were not accepted.",
    "403": "Authenticated, but not allowed to do this.",
    "404": "No such resource, or not one you may see.",
    "409": "The request conflicts with the resource's current state.",
    "413": "The request body is larger than the limit.",
    "415": "The body is not JSON.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
    "503": "A service rehearse depends on is down or busy; retry after Retry-After.",
}


def _allows_anonymous(view: Any, method: str) -> bool:
    """Would the view's permission classes let an anonymous request with ``method`` in?

    drf-spectacular only knows DRF's AllowAny and IsAuthenticatedOrReadOnly; asking the
    permission classes themselves covers ours too.
    """
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from rest_framework.request import Request

    request = Request(RequestFactory().generic(method, "/"))
    request.user = AnonymousUser()
    try:
        return all(perm.has_permission(request, view) for perm in view.get_permissions())
    except Exception:
        return False


class ProblemAutoSchema(AutoSchema):
    def get_auth(self) -> list[Any]:
        auths: list[Any] = super().get_auth()
        if {} not in auths and auths and _allows_anonymous(self.view, self.method):
            auths.append({})  # signing in is optional here
        return auths

    def _error_codes(self) -> list[str]:
        codes = ["400", "429"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        if "{" in self.path:
            codes.append("404")
        view_permissions = self.view.get_permissions()
        if not all(isinstance(perm, permissions.AllowAny) for perm in view_permissions):
            codes += ["401", "403"]
        codes += getattr(self.view, "extra_problem_codes", {}).get(self.method, [])
        return sorted(set(codes))

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code in responses:
                continue
            response = self._get_response_for_code(
                ProblemSerializer, code, media_types=[PROBLEM_CONTENT_TYPE], direction=direction
            )
            response["description"] = _DESCRIPTIONS[code]
            responses[code] = response
        return responses


def strict_request_bodies(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Say in the schema what the API does: request bodies with unknown fields are 400.

    Every serializer that reads a body uses ``StrictFieldsMixin``; without
    ``additionalProperties: false`` a client (or a fuzzer) would believe extra
    fields are accepted and ignored.
    """
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component.setdefault("additionalProperties", False)
            for field in component.get("properties", {}).values():
                _no_nul(field)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _no_nul(parameter.get("schema", {}))
                if parameter.get("in") == "query" and "enum" in parameter.get("schema", {}):
                    # "?difficulty=" means "any difficulty", as HTML forms send it.
                    parameter["allowEmptyValue"] = True
    return result


def _no_nul(schema: dict[str, Any]) -> None:
    """Django refuses NUL characters in every text field and query parameter (400)."""
    if schema.get("type") == "string" and not ({"enum", "format", "pattern"} & schema.keys()):
        schema["pattern"] = "^[^\\x00]*$"
    elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _no_nul(schema["items"])
