"""API conventions shared by every app: pagination, error bodies, small permission classes and
strict input serializers (unknown keys are a 400). The JSON parser is in core.parsers."""

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, models
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import (
    exceptions,
    pagination,
    permissions,
    renderers,
    serializers,
    status,
)
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import permissions as perms
from core import text
from core.states import InvalidTransition, allowed_actions


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def validation_error_body(error: DjangoValidationError) -> dict:
    """A Django ValidationError as DRF's field map: {"field": ["message"]}."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    """InvalidTransition -> 409; Django ValidationError from services -> 400 with fields;
    a database DataError (value out of range) -> 400. Errors are always JSON."""
    _render_errors_as_json(context.get("request"))
    if isinstance(exc, InvalidTransition):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DataError):
        # e.g. an id in the path beyond PostgreSQL's bigint range: bad input, not a crash.
        return Response(
            {"detail": "A value is out of range for this field.", "code": "out_of_range"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args[:1] or ()))
    return drf_exception_handler(exc, context)


def _render_errors_as_json(request) -> None:
    """An error asked for as an export (``?format=csv``) is still the JSON error body, labelled
    ``application/json``: a CSV, JSONL or XML renderer cannot carry ``{"detail": ...}``."""
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and renderer.format not in ("json", "api"):
        request.accepted_renderer = renderers.JSONRenderer()
        request.accepted_media_type = renderers.JSONRenderer.media_type


class IsOfficial(permissions.BasePermission):
    """An official of some agency (jurisdiction is checked against the object by services)."""

    def has_permission(self, request, view) -> bool:
        return perms.is_official(request.user)


# --- input: strict serializers -----------------------------------------------------------------
# Keys a client may send beside the fields without meaning anything: the browsable API's form
# posts carry Django's CSRF token.
IGNORED_INPUT_KEYS = frozenset({"csrfmiddlewaretoken"})


class StrictFieldsMixin:
    """Refuse input keys that are not writable fields of the serializer: 400
    ``{"<key>": ["Unknown field."]}``. A mistyped key (``"organisations"``) must not be silently
    dropped and the request obeyed as if it had not been sent. Read-only fields count as unknown
    on input: sending ``"id"`` or ``"status"`` back cannot change them. Nested serializers
    (``many=True`` too) check their own objects, since each runs ``to_internal_value``.
    Output-only serializers inherit it harmlessly (they never parse input)."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {field.field_name for field in self._writable_fields}
            unknown = [key for key in data if key not in writable and key not in IGNORED_INPUT_KEYS]
            if unknown:
                raise serializers.ValidationError({key: [_("Unknown field.")] for key in unknown})
        return super().to_internal_value(data)


class DateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField whose output is always RFC 3339: ``2026-05-12T14:28:00+08:00``.

    Python renders a zone offset that is not a whole number of minutes with seconds
    (``+08:05:43``: Asia/Shanghai's local mean time before 1901), which RFC 3339 cannot express;
    such a value is given in UTC (``...Z``) instead. Input dates are bounded (core.validators),
    so this is a guard for old or imported rows, not a path taken every day."""

    def to_representation(self, value):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            local = self.enforce_timezone(value)
            offset = local.utcoffset()
            if offset is not None and offset.total_seconds() % 60:
                in_utc = value.astimezone(dt.UTC).isoformat()
                return in_utc.removesuffix("+00:00") + "Z"
        return super().to_representation(value)


def _number_text(data):
    """Numbers sent as text: full-width digits normalized, other non-ASCII refused (core.text)."""
    if isinstance(data, str):
        try:
            return text.number_text(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code="non_ascii_number") from None
    return data


class DecimalField(serializers.DecimalField):
    """DRF's DecimalField reading ``"１２３．５"`` as ``123.5`` and refusing ``"١٢٣"``."""

    def to_internal_value(self, data):
        return super().to_internal_value(_number_text(data))


class IntegerField(serializers.IntegerField):
    """DRF's IntegerField with the same rule for digits as DecimalField."""

    def to_internal_value(self, data):
        return super().to_internal_value(_number_text(data))


class ActingOrganizationField(IntegerField):
    """The organization a person says they act for: an id, or nothing. Shape only: the service
    decides with ``registry.queries.acting_organization`` (403 not allowed, 400 ambiguous)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class NameField(serializers.CharField):
    """A name (donor, organization, person): format characters removed, something visible left
    (core.text.clean_name)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return text.clean_name(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code="invisible_name") from None


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    """The base of every serializer in the apps (``tests/core/test_strict_input.py`` checks).
    Declare date-times as ``core.api.DateTimeField`` (RFC 3339 output)."""


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """The base of every model serializer in the apps (model date-times map to
    ``core.api.DateTimeField``)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
        models.DecimalField: DecimalField,
        models.IntegerField: IntegerField,
        models.BigIntegerField: IntegerField,
        models.SmallIntegerField: IntegerField,
        models.PositiveIntegerField: IntegerField,
        models.PositiveSmallIntegerField: IntegerField,
        models.PositiveBigIntegerField: IntegerField,
    }


class NoInputSerializer(StrictSerializer):
    """The input of an action that takes no body: any key in it is unknown."""


class OptionalReasonSerializer(StrictSerializer):
    """Input of an action whose reason may be left out."""

    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RequiredReasonSerializer(StrictSerializer):
    """Input of an action that must say why (hold, cancel, terminate ...)."""

    reason = serializers.CharField(max_length=2000)


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class PersonField(serializers.Field):
    """A person as others see them: display name, organization and role (core.display), never
    the username. Read-only; ``None`` for nobody. Pass ``source=`` for another attribute."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs.setdefault("default", None)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        try:
            return super().get_attribute(instance)
        except (AttributeError, KeyError):
            return None

    def to_representation(self, value):
        from core.display import display_name

        return display_name(value) or None


def refuse_input(request) -> None:
    """For an action that takes no body: 400 ``{"<key>": ["Unknown field."]}`` for any key sent."""
    NoInputSerializer(data=request.data).is_valid(raise_exception=True)


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string"},
        "description": "What the requesting user may do with this object now "
        "(core.states.allowed_actions): each name is a POST action of this resource that "
        "will be accepted.",
    }
)
class ActionsField(serializers.Field):
    """Read-only ``actions`` list on a detail response: ``allowed_actions(request.user, obj)``."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj) -> list[str]:
        request = self.context.get("request")
        return allowed_actions(getattr(request, "user", None), obj)


class ServiceActionsMixin:
    """For a ViewSet whose POST actions each call one service on the object: read the body with
    one input serializer (none: ``NoInputSerializer``), call
    ``service(<service_object>=obj, by=user, **validated)``, and answer with the object's detail
    (``detail_serializer_class``, re-read through ``get_queryset`` so the response has the same
    shape and query cost as a GET)."""

    service_object = "obj"
    detail_serializer_class: type[serializers.Serializer] | None = None

    def run_service(self, service, serializer_class=None):
        data = (serializer_class or NoInputSerializer)(data=self.request.data)
        data.is_valid(raise_exception=True)
        result = service(
            **{self.service_object: self.get_object()}, by=self.request.user, **data.validated_data
        )
        return self.respond(result)

    def respond(self, obj):
        return Response(
            self.detail_serializer_class(
                self.get_queryset().get(pk=obj.pk), context={"request": self.request}
            ).data
        )
