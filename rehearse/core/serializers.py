"""Serializer building blocks shared by every app.

``FastRepresentationMixin`` keeps the declarative ModelSerializer (fields, schema,
validation) but renders instances with a plan computed once per serializer instead
of DRF's per-field, per-object machinery. On a list endpoint the same child
serializer renders every row, so the plan is built once per response. The output is
identical to DRF's (``tests/test_serializers.py`` compares them); only fields whose
representation is the attribute itself (strings, numbers, booleans) skip
``to_representation``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.db import models
from rest_framework import ISO_8601, relations, serializers
from rest_framework import fields as drf_fields
from rest_framework.settings import api_settings

_IDENTITY_FIELDS = (
    drf_fields.CharField,
    drf_fields.SlugField,
    drf_fields.EmailField,
    drf_fields.IntegerField,
    drf_fields.BooleanField,
)

Render = Callable[[Any], Any]


def _render_plain(getter: Render) -> Render:
    return getter


def _render_with(getter: Render, to_representation: Render) -> Render:
    def render(instance: Any) -> Any:
        value = getter(instance)
        return None if value is None else to_representation(value)

    return render


def _render_generic(field: drf_fields.Field[Any, Any, Any, Any]) -> Render:
    def render(instance: Any) -> Any:
        value = field.get_attribute(instance)
        return None if value is None else field.to_representation(value)

    return render


class UTCDateTimeField(serializers.DateTimeField):
    """Timestamps in the API are RFC 3339 in UTC ("...Z"), whatever zone is active."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(**kwargs)


def _utc_iso(value: dt.datetime) -> str:
    text = value.astimezone(dt.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _render_utc_datetime(getter: Render, field: UTCDateTimeField) -> Render:
    def render(instance: Any) -> Any:
        value = getter(instance)
        if value is None:
            return None
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return _utc_iso(value)
        return field.to_representation(value)

    return render


def _render_slugs(getter: Render, slug_field: str) -> Render:
    slug = attrgetter(slug_field)

    def render(instance: Any) -> list[Any]:
        if instance.pk is None:
            return []
        return [slug(item) for item in getter(instance).all()]

    return render


def _is_iso_utc(field: drf_fields.Field[Any, Any, Any, Any]) -> bool:
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return (
        isinstance(field, UTCDateTimeField)
        and isinstance(output_format, str)
        and output_format.lower() == ISO_8601
    )


class RehearseModelSerializer(serializers.ModelSerializer[Any]):
    """The ModelSerializer every API resource uses: UTC timestamps."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
    }


class FastRepresentationMixin:
    """Render with a plan built once per serializer class instead of per-field dispatch.

    DRF rebuilds a ModelSerializer's fields (introspecting the model) for every
    serializer instance, so on every request. The plan is built from the first
    instance and kept on the class: only use this mixin for serializers whose fields
    render the same whatever the request (no hyperlinks, no request-dependent fields).
    """

    _class_render_plan: list[tuple[str, Render]] | None = None

    @property
    def _render_plan(self) -> list[tuple[str, Render]]:
        cls = type(self)
        plan = cls.__dict__.get("_class_render_plan")
        if plan is None:
            plan = self._build_render_plan()
            cls._class_render_plan = plan
        return plan

    def _build_render_plan(self) -> list[tuple[str, Render]]:
        plan: list[tuple[str, Render]] = []
        for field in self._readable_fields:  # type: ignore[attr-defined]
            simple_source = len(field.source_attrs) == 1 and field.source != "*"
            if not simple_source:
                plan.append((str(field.field_name), _render_generic(field)))
                continue
            getter = attrgetter(field.source)
            if type(field) in _IDENTITY_FIELDS and not getattr(field, "choices", None):
                # CharField's representation of a str is the str (same for int and
                # bool): don't call it per row. Subclasses (DifficultyField...) and
                # fields that transform their value take the general path.
                plan.append((str(field.field_name), _render_plain(getter)))
            elif _is_iso_utc(field):
                plan.append((str(field.field_name), _render_utc_datetime(getter, field)))
            elif (
                isinstance(field, relations.ManyRelatedField)
                and type(field.child_relation) is relations.SlugRelatedField
                and "__" not in field.child_relation.slug_field
            ):
                slug_field = field.child_relation.slug_field
                plan.append((str(field.field_name), _render_slugs(getter, slug_field)))
            elif isinstance(
                field,
                serializers.BaseSerializer | relations.ManyRelatedField | relations.RelatedField,
            ):
                # Related fields: DRF's get_attribute reads a foreign key's id without
                # loading the related row (PKOnlyObject); reading the attribute would
                # cost one query per row.
                plan.append((str(field.field_name), _render_generic(field)))
            else:
                plan.append((str(field.field_name), _render_with(getter, field.to_representation)))
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {name: render(instance) for name, render in self._render_plan}


class StrictFieldsMixin:
    """Refuse unknown and read-only fields in a request body instead of ignoring them.

    DRF silently drops fields it does not know, so a client that misspells
    ``interview_date`` or tries to set ``is_staff`` believes it succeeded. Here both
    are a 400 naming the field.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            fields = self.fields  # type: ignore[attr-defined]
            errors: dict[str, list[str]] = {}
            for name in data:
                field = fields.get(name)
                if field is None:
                    errors[name] = ["Unknown field."]
                elif field.read_only:
                    errors[name] = ["This field is read-only."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]
