"""OpenAPI schema conventions shared by every app (drf-spectacular).

The API contract (API.md, "Errors") promises the same error bodies everywhere: 400 with
DRF's field map for bad input, 401/403 for authentication and permission, 404 for what the caller
may not see, 409 ``{"detail", "code"}`` for an action the object's state forbids, and 429 when
throttled. Views declare only their success responses; :class:`AutoSchema` adds the error
responses each operation can actually produce, so the schema documents them once and uniformly
(and schemathesis can check every response against it).
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers
from rest_framework.fields import empty

from core.api import StrictFieldsMixin

ERROR = {
    "type": "object",
    "description": 'An error: `{"detail": "..."}`, with a machine-readable `code` where one '
    "applies (409 `invalid_transition` or `conflict`, 400 `out_of_range` or `bad_request`).",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "required": ["detail"],
}

VALIDATION_ERROR = {
    "type": "object",
    "description": 'Bad input: DRF\'s field map `{"field": ["message"]}` (nested for nested '
    'input, `non_field_errors` for the whole object), or `{"detail", "code"}` for a request '
    "refused before validation (a NUL byte, a value out of the database's range).",
    "additionalProperties": {},
}

ERROR_DESCRIPTIONS = {
    "400": "Bad input.",
    "401": "Not authenticated.",
    "403": "Not authenticated, or not allowed.",
    "404": "Not found, or not visible to the caller.",
    "409": "The object's state forbids this action, or a concurrent request won.",
    "429": "Too many requests (throttled, or too many failed logins).",
}

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _model_field_allows_blank(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema plus the contract's error responses."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self.error_status_codes(operation):
            if code not in responses:
                responses[code] = self._error_response(code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_basic_serializer(self, serializer, direction):
        """Fields a serializer leaves out for some callers (``Meta.conditional_fields``, e.g. an
        organization's contacts, shown only to its members and officials) are not required."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictFieldsMixin):
            # Unknown keys are a 400 (core.api.StrictFieldsMixin): the schema says so.
            schema["additionalProperties"] = False
        conditional = set(getattr(getattr(serializer, "Meta", None), "conditional_fields", ()))
        if conditional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in conditional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _get_serializer_field_meta(self, field, direction):
        """An output field declared with ``default=None`` (``CharField(source="lead_agency.name",
        default=None)``) gives null when the relation is empty: say so."""
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and getattr(field, "default", empty) is None:
            meta["nullable"] = True
        return meta

    def _insert_field_validators(self, field, schema):
        """A read-only field of a ModelSerializer loses ``allow_blank``, so drf-spectacular would
        say a blank URL or e-mail (``website: ""``) breaks its format: let "" through when the
        model field may be blank."""
        super()._insert_field_validators(field, schema)
        if (
            isinstance(field, serializers.CharField)
            and field.read_only
            and not field.allow_blank
            and ("format" in schema or "pattern" in schema)
            and _model_field_allows_blank(field)
        ):
            outer = {"readOnly", "writeOnly", "nullable", "deprecated", "description", "title"}
            inner = {key: schema.pop(key) for key in list(schema) if key not in outer}
            schema["oneOf"] = [inner, {"type": "string", "maxLength": 0}]

    def error_status_codes(self, operation) -> list[str]:
        """The error codes this operation can return, judged from the view's configuration."""
        # Any request may be refused as malformed (RejectNullBytesMiddleware) or fail validation.
        codes = ["400"]
        authenticators = list(self.view.get_authenticators())
        if authenticators and self._challenges(authenticators[0]):
            codes.append("401")
        if authenticators or not self._allows_any():
            # A bad token is refused with 403 even on public endpoints (SessionAuthentication
            # comes first and sends no challenge), and services may refuse an action.
            codes.append("403")
        has_path_params = any(p.get("in") == "path" for p in operation.get("parameters", []))
        if has_path_params or self._is_paginated_list() or getattr(self.view, "names_in_body", ()):
            # an unknown or invisible object (in the path, or named in the body: a view's
            # ``names_in_body`` lists such fields), or a page past the end
            codes.append("404")
        if self.method in UNSAFE_METHODS:
            codes.append("409")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _challenges(self, authenticator) -> bool:
        try:
            return bool(authenticator.authenticate_header(self.view.request))
        except Exception:  # noqa: BLE001 - a schema must not fail on an exotic authenticator
            return False

    def _allows_any(self) -> bool:
        return all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _error_response(self, code: str) -> dict:
        name, schema = ("ValidationError", VALIDATION_ERROR) if code == "400" else ("Error", ERROR)
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
        )
        self.registry.register_on_missing(component)
        return {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {"application/json": {"schema": component.ref}},
        }


# --- OpenAPI links (stateful clients and schemathesis ``--stateful=links``) --------------------


def _operation_id(operation: dict | None) -> str | None:
    return (operation or {}).get("operationId")


def add_links(result, generator, request, public):
    """drf-spectacular post-processing hook: declare how one response feeds the next request.

    - a 201 from ``POST /things/`` links to every operation under ``/things/{id}/`` (its detail,
      its update, its actions), with ``id`` taken from the created object (``$response.body#/id``);
    - a 200 page from ``GET /things/`` links to ``GET /things/{id}/`` with the first row's id.

    Clients can follow them; schemathesis does (``--stateful=links``), so a generated object is
    then read and acted on in the same run.
    """
    paths = result.get("paths", {})
    for path, operations in paths.items():
        detail_prefix = f"{path}{{id}}/"
        targets = [
            (target_path, method, op)
            for target_path, target_ops in paths.items()
            if target_path.startswith(detail_prefix)
            for method, op in target_ops.items()
            if isinstance(op, dict) and _operation_id(op)
        ]
        if not targets:
            continue
        created = operations.get("post", {}).get("responses", {}).get("201")
        if created is not None:
            created["links"] = {
                _link_name(op): {
                    "operationId": _operation_id(op),
                    "parameters": {"id": "$response.body#/id"},
                }
                for _, method, op in targets
            }
        listed = operations.get("get", {}).get("responses", {}).get("200")
        detail = paths.get(detail_prefix, {}).get("get")
        if listed is not None and detail is not None and _is_page(listed):
            listed["links"] = {
                _link_name(detail): {
                    "operationId": _operation_id(detail),
                    "parameters": {"id": "$response.body#/results/0/id"},
                }
            }
    return result


def _link_name(operation: dict) -> str:
    return "".join(part.capitalize() for part in _operation_id(operation).split("_"))


def _is_page(response: dict) -> bool:
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return ref.startswith("#/components/schemas/Paginated")
