"""API conventions shared by every app: pagination, error bodies, small permission classes."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
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


class OptionalReasonSerializer(serializers.Serializer):
    """Input of an action whose reason may be left out."""

    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RequiredReasonSerializer(serializers.Serializer):
    """Input of an action that must say why (hold, cancel, terminate ...)."""

    reason = serializers.CharField(max_length=2000)


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
