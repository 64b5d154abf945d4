"""The cold path of public lists: rows read with ``values()`` and shaped exactly as the list's
serializer shapes model instances, without DRF's per-field machinery (docs/public-reads.md,
"Cold path").

A ``FastList`` is compiled from the serializer class, which stays the single source of the
output and of the OpenAPI schema: its fields, in their order, become

- a column of ``values()`` (``source="holder.name"`` is ``holder__name``; a ``source`` naming
  an annotation of the list's queryset reads the annotation), turned into output by the
  field's own ``to_representation`` (skipped when it is the identity on what the database
  returns: text into ``CharField``, integers into ``IntegerField``, foreign keys into
  ``PrimaryKeyRelatedField``, booleans, JSON);
- a nested ``many=True`` serializer over a reverse foreign key: one more query for the whole
  page (``related__in=<ids of the page>``), ordered as the list's ``Prefetch`` orders it (pass
  the same queryset in ``nested``), joined in Python;
- a nested serializer over a forward foreign key: its columns joined into the same query;
- a ``computed`` entry for anything else (properties, ``SerializerMethodField``, per-user
  parts): ``Computed(columns, fn)`` with ``fn(row, ctx)`` reading the raw row;
- ``conditional`` fields: left out of a row when ``predicate(row, ctx)`` is false, as a
  serializer that pops them does.

A field the compiler cannot map raises ``ImproperlyConfigured`` the first time the list is
used, so a field added to a serializer either is mapped or fails loudly; the equivalence tests
(``tests/core/test_fast_lists.py``) compare fast and serializer output byte for byte.

``ctx`` is ``{"request": request}`` plus what the list's ``prepare(rows, request)`` returns
(computed once per page: e.g. which organizations the user may see the contacts of).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import ISO_8601, relations, renderers, serializers
from rest_framework.fields import empty
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core import statements
from core.renderers import FastJSONRenderer

SKIP = object()  # a computed or conditional value that leaves its key out of the row

_TEXT = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_INTEGER = {
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
}


@dataclass(frozen=True)
class Nest:
    """How a nested ``many=True`` list is read: the queryset the serializer path prefetches
    (its filter and order), and the nested serializer's own computed/conditional fields."""

    queryset: QuerySet | None = None
    computed: dict | None = None
    conditional: dict | None = None


@dataclass(frozen=True)
class Computed:
    """An output field computed from raw columns: ``fn(row, ctx)``; ``SKIP`` leaves it out."""

    columns: tuple[str, ...]
    fn: Callable[[dict, dict], Any]


def _internal_type(model_field) -> str:
    if model_field is None:
        return ""
    if getattr(model_field, "is_relation", False) and getattr(model_field, "target_field", None):
        return _internal_type(model_field.target_field)
    try:
        return model_field.get_internal_type()
    except AttributeError:
        return ""


# DRF 3.16's BigIntegerField (what a BigAutoField id maps to), absent before
_BIGINT_REP = getattr(getattr(serializers, "BigIntegerField", None), "to_representation", None)


def _is_identity(serializer_field, model_field) -> bool:
    """Whether ``to_representation`` returns what the database gives for this column."""
    kind = _internal_type(model_field)
    rep = type(serializer_field).to_representation
    if rep is serializers.CharField.to_representation:
        return kind in _TEXT
    if rep is serializers.IntegerField.to_representation:
        return kind in _INTEGER
    if _BIGINT_REP is not None and rep is _BIGINT_REP:
        # DRF's big integers (auto ids map to them): text only with COERCE_BIGINT_TO_STRING
        coerce = getattr(
            serializer_field,
            "coerce_to_string",
            getattr(api_settings, "COERCE_BIGINT_TO_STRING", False),
        )
        return not coerce and kind in _INTEGER
    if rep is serializers.ChoiceField.to_representation:
        return kind in _TEXT or kind in _INTEGER
    if rep is serializers.BooleanField.to_representation:
        return kind == "BooleanField"
    if rep is serializers.JSONField.to_representation:
        return not serializer_field.binary
    if rep is serializers.ReadOnlyField.to_representation:
        return True
    if rep is relations.PrimaryKeyRelatedField.to_representation:
        return serializer_field.pk_field is None
    return False


@dataclass
class _Column:
    key: str
    model_field: Any
    nullable_path: bool  # crosses a nullable foreign key


def _resolve(model, attrs: list[str], annotations: dict) -> _Column | None:
    """The ``values()`` key of a dotted source, or None when it is not a column."""
    if len(attrs) == 1 and attrs[0] in annotations:
        return _Column(attrs[0], annotations[attrs[0]].output_field, False)
    current, nullable, last = model, False, len(attrs) - 1
    for i, attr in enumerate(attrs):
        try:
            model_field = current._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        if not model_field.concrete or model_field.many_to_many:
            return None
        if i == last:
            key = "__".join(attrs) if i else attr
            return _Column(key, model_field, nullable)
        if not model_field.is_relation:
            return None
        nullable = nullable or model_field.null
        current = model_field.related_model
    return None


def _convert(serializer_field, model_field) -> Callable | None:
    return (
        None if _is_identity(serializer_field, model_field) else serializer_field.to_representation
    )


def _fast_container(serializer_field) -> Callable | None:
    """A ``ListField`` of text or choices, or a ``DictField`` of integers, over a JSON column:
    the decoded value as it is when it already has the output's types (a list of strings; a
    dict of string keys and plain integers), else the field's own ``to_representation``."""
    child = getattr(serializer_field, "child", None)
    slow = serializer_field.to_representation
    if type(serializer_field) is serializers.ListField and _identity_on_text(child):

        def as_list(value):
            if type(value) is list and set(map(type, value)) <= {str}:
                return value
            return slow(value)

        return as_list
    if (
        type(serializer_field) is serializers.DictField
        and type(child).to_representation is serializers.IntegerField.to_representation
    ):

        def as_dict(value):
            if (
                type(value) is dict
                and set(map(type, value)) <= {str}
                and set(map(type, value.values())) <= {int}
            ):
                return value
            return slow(value)

        return as_dict
    return None


def _identity_on_text(child) -> bool:
    """Whether ``child.to_representation(s) == s`` for every string ``s``."""
    rep = type(child).to_representation
    if rep is serializers.CharField.to_representation:
        return True
    if rep is serializers.ChoiceField.to_representation:
        # str(value) looked up among the choices: a string key maps to itself.
        return all(type(k) is str and k == v for k, v in child.choice_strings_to_values.items())
    return False


def _fast_decimal(serializer_field) -> Callable | None:
    """A ``DecimalField``'s text without DRF's per-value context copy and quantize, for the
    usual case: a Decimal that already has the field's places and fits its digits (what a
    ``numeric(max_digits, decimal_places)`` column returns), for which quantizing is the
    identity. Anything else goes to the field's own ``to_representation``."""
    if type(serializer_field).to_representation is not serializers.DecimalField.to_representation:
        return None
    coerce = getattr(serializer_field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    places, digits = serializer_field.decimal_places, serializer_field.max_digits
    if (
        not coerce
        or serializer_field.localize
        or serializer_field.normalize_output
        or places is None
        or digits is None
    ):
        return None
    slow = serializer_field.to_representation
    # str() of such a Decimal is plain notation with exactly ``places`` decimals, which is
    # DRF's '{:f}' of the quantized value. Its characters bound its digits from above (a
    # leading "0." counts), so a text within the bound fits; anything else (an exponent, other
    # places, too long, NaN) goes to DRF, which quantizes or refuses it as it always does.
    longest = digits + (1 if places else 0) + 1  # the digits, the point, a sign

    def as_text(value):
        if type(value) is Decimal:
            text = str(value)
            size = len(text)
            if size <= longest:
                if places:
                    point = size - places - 1
                    if (
                        point > 0
                        and text[point] == "."
                        and text[point + 1 :].isdigit()
                        and text[:point].lstrip("-").isdigit()
                        and size - (text[0] == "-") - 1 <= digits
                    ):
                        return text
                elif text.lstrip("-").isdigit() and size - (text[0] == "-") <= digits:
                    return text
        return slow(value)

    return as_text


def _fast_date(serializer_field) -> Callable | None:
    """A ``DateField``'s ISO text without DRF's per-value format lookup: ``isoformat()`` of a
    ``date`` (what a date column returns) when the field writes ISO 8601; anything else (a
    datetime, which DRF refuses, a string, another format) goes to the field's own method."""
    if type(serializer_field).to_representation is not serializers.DateField.to_representation:
        return None
    output_format = getattr(serializer_field, "format", api_settings.DATE_FORMAT)
    if not isinstance(output_format, str) or output_format.lower() != ISO_8601:
        return None
    slow, date_type = serializer_field.to_representation, dt.date

    def as_text(value):
        return value.isoformat() if type(value) is date_type else slow(value)

    return as_text


def _fast_datetime(serializer_field, key: str) -> Callable | None:
    """A ``DateTimeField``'s ISO 8601 text without DRF's per-value timezone lookups: the
    current timezone is read once per page (``ctx["_tz"]``). Anything unusual (a naive value, a
    field with its own timezone or format, an offset that is not whole minutes, an overflow)
    goes to the field's own ``to_representation``, so the text is always the field's."""
    if not isinstance(serializer_field, serializers.DateTimeField):
        return None
    if hasattr(serializer_field, "timezone"):
        return None
    output_format = getattr(serializer_field, "format", api_settings.DATETIME_FORMAT)
    if not isinstance(output_format, str) or output_format.lower() != ISO_8601:
        return None
    slow = serializer_field.to_representation
    datetime_type = dt.datetime

    def get(row, ctx):
        value = row[key]
        if value is None:
            return None
        if type(value) is datetime_type and value.tzinfo is not None:
            try:
                local = value.astimezone(ctx["_tz"])
            except OverflowError:
                return slow(value)
            offset = local.utcoffset()
            if offset is not None and not offset.seconds % 60 and not offset.microseconds:
                text = local.isoformat()
                return text[:-6] + "Z" if text.endswith("+00:00") else text
        return slow(value)

    return get


class FastList:
    """A serializer's output built from ``values()`` rows (see the module docstring)."""

    def __init__(
        self,
        serializer_class: type[serializers.BaseSerializer],
        *,
        model: type[models.Model] | None = None,
        nested: dict[str, Nest] | None = None,
        computed: dict[str, Computed] | None = None,
        conditional: dict[str, Callable[[dict, dict], bool]] | None = None,
        prepare: Callable[[list[dict], Any], dict] | None = None,
        scalar_relations: bool = False,
    ) -> None:
        self.serializer_class = serializer_class
        self.scalar_relations = scalar_relations
        self.model = model or getattr(getattr(serializer_class, "Meta", None), "model", None)
        self.nested = nested or {}
        self.computed = computed or {}
        self.conditional = conditional or {}
        self.prepare = prepare
        self._plans: dict[frozenset, _Plan] = {}

    def plan(self, queryset: QuerySet | None = None) -> "_Plan":
        key = self.plan_key(queryset)
        plan = self._plans.get(key)
        if plan is None:
            annotations = dict(queryset.query.annotations) if queryset is not None else {}
            plan = self._plans[key] = _Plan(self, annotations)
        return plan

    @staticmethod
    def plan_key(queryset: QuerySet | None) -> frozenset:
        return frozenset(queryset.query.annotations) if queryset is not None else frozenset()

    def values(self, queryset: QuerySet) -> QuerySet:
        """The list's queryset reading only the columns the output needs (order, filters and
        slicing unchanged: pagination works on it as on the model queryset).

        With ``scalar_relations``, a column one foreign key away (``holder__name``) is read by
        a scalar subquery on the related row's key instead of a join: the same value (NULL
        without a related row, as the LEFT JOIN gives), but PostgreSQL no longer searches join
        orders for every page query. The ledger's page query: 1.2-1.5 → 0.9-1.0 ms of server
        CPU with three such columns (docs/public-reads.md, "Planner costs")."""
        queryset = queryset.prefetch_related(None)
        columns = self.plan(queryset).columns
        if not self.scalar_relations:
            return queryset.values(*columns)
        plain, scalar = [], {}
        for key in columns:
            expression = statements.scalar_relation(self.model, key)
            if expression is None:
                plain.append(key)
            else:
                scalar[key] = expression
        return queryset.values(*plain, **scalar)

    def build(
        self,
        rows: Iterable[dict],
        request: Any = None,
        queryset: QuerySet | None = None,
        plan_key: frozenset | None = None,
    ):
        """The output of ``rows`` (from ``values()``): one query per nested list. The plan is
        the queryset's, or, without it, the one ``plan_key`` names (a plan already built)."""
        rows = list(rows)
        ctx = {"request": request}
        if self.prepare is not None:
            ctx.update(self.prepare(rows, request))
        plan = self._plans[plan_key] if queryset is None and plan_key is not None else None
        return (plan or self.plan(queryset)).build(rows, ctx)

    def data(self, queryset: QuerySet, request: Any = None) -> list[dict]:
        return self.build(self.values(queryset), request, queryset)


class _Plan:
    def __init__(self, spec: FastList, annotations: dict) -> None:
        if spec.model is None:
            raise ImproperlyConfigured(f"{spec.serializer_class.__name__}: no model to read")
        serializer = spec.serializer_class()
        self.model = spec.model
        self.columns: list[str] = ["pk"]
        self.steps: list[tuple[str, Callable, bool]] = []  # (name, getter, takes ctx)
        self.children: list[tuple[str, _Nested]] = []
        for name, serializer_field in serializer.fields.items():
            if serializer_field.write_only:
                continue
            getter, takes_ctx = self._step(spec, name, serializer_field, annotations)
            if name in spec.conditional:
                getter, takes_ctx = _only_when(getter, takes_ctx, spec.conditional[name]), True
            self.steps.append((name, getter, takes_ctx))
        self.columns = list(dict.fromkeys(self.columns))

    def _step(self, spec, name, serializer_field, annotations):
        """(getter, whether it takes ctx)."""
        where = f"{spec.serializer_class.__name__}.{name}"
        if name in spec.computed:
            computed = spec.computed[name]
            self.columns.extend(computed.columns)
            return computed.fn, True
        attrs = serializer_field.source_attrs
        column = _resolve(self.model, attrs, annotations) if attrs else None
        if column is not None and not column.model_field.is_relation:
            pass  # a nested serializer over a JSON column: its to_representation, below
        elif isinstance(serializer_field, serializers.ListSerializer):
            nest = spec.nested.get(name) or Nest()
            nested = _Nested.compile(self.model, attrs, serializer_field, nest)
            if nested is None:
                raise ImproperlyConfigured(f"{where}: not a reverse foreign key; use computed=")
            self.children.append((name, nested))
            return itemgetter(nested.out_key), False
        elif isinstance(serializer_field, serializers.BaseSerializer):
            return self._inline(spec, where, attrs, serializer_field)
        if column is None:
            raise ImproperlyConfigured(f"{where}: source {serializer_field.source!r} is no column")
        self.columns.append(column.key)
        convert = _convert(serializer_field, column.model_field)
        default = serializer_field.default
        if column.nullable_path and not (
            default is None or (default is empty and serializer_field.allow_null)
        ):
            # Without a related row DRF gives the default, else None if allow_null, else leaves
            # the key out; a values() row has None either way. Only "None" is unambiguous.
            raise ImproperlyConfigured(f"{where}: nullable path without default=None")
        key = column.key
        if convert is None:
            return itemgetter(key), False
        fast = _fast_datetime(serializer_field, key)
        if fast is not None:
            return fast, True
        convert = (
            _fast_container(serializer_field)
            or _fast_decimal(serializer_field)
            or _fast_date(serializer_field)
            or convert
        )

        def get(row, key=key, convert=convert):
            value = row[key]
            return None if value is None else convert(value)

        return get, False

    def _inline(self, spec, where, attrs, child_serializer):
        """A nested serializer over a forward foreign key: its columns join the row's query."""
        column = _resolve(self.model, attrs, {})
        if column is None or not column.model_field.is_relation:
            raise ImproperlyConfigured(f"{where}: not a forward foreign key; use computed=")
        prefix = "__".join(attrs)
        related = column.model_field.related_model
        self.columns.append(prefix)  # the foreign key itself: None when there is no row
        fields = []
        for name, serializer_field in child_serializer.fields.items():
            if serializer_field.write_only:
                continue
            inner = _resolve(related, serializer_field.source_attrs, {})
            if inner is None or inner.nullable_path:
                raise ImproperlyConfigured(f"{where}.{name}: not a plain column; use computed=")
            key = f"{prefix}__{inner.key}"
            self.columns.append(key)
            fields.append((name, key, _convert(serializer_field, inner.model_field)))

        def get(row):
            if row[prefix] is None:
                return None
            out = {}
            for name, key, convert in fields:
                value = row[key]
                out[name] = value if value is None or convert is None else convert(value)
            return out

        return get, False

    def build(self, rows: list[dict], ctx: dict) -> list[dict]:
        if "_tz" not in ctx:
            ctx["_tz"] = timezone.get_current_timezone()
        if self.children and rows:
            ids = [row["pk"] for row in rows]
            for _name, nested in self.children:
                groups = nested.fetch(ids, ctx)
                for row in rows:
                    row[nested.out_key] = groups.get(row["pk"], [])
        steps = self.steps
        out = []
        for row in rows:
            item = {}
            for name, getter, takes_ctx in steps:
                if takes_ctx:
                    value = getter(row, ctx)
                    if value is SKIP:
                        continue
                    item[name] = value
                else:
                    item[name] = getter(row)
            out.append(item)
        return out


def _only_when(getter, takes_ctx, predicate):
    def get(row, ctx):
        if not predicate(row, ctx):
            return SKIP
        return getter(row, ctx) if takes_ctx else getter(row)

    return get


@dataclass
class _Nested:
    """A ``many=True`` serializer over a reverse foreign key: one query per page."""

    queryset: QuerySet
    link: str  # the related model's foreign key attname (e.g. organization_id)
    plan: _Plan
    out_key: str = field(default="")

    @classmethod
    def compile(cls, model, attrs, list_serializer, nest: Nest) -> "_Nested | None":
        if len(attrs) != 1:
            return None
        try:
            relation = model._meta.get_field(attrs[0])
        except FieldDoesNotExist:
            return None
        if not relation.one_to_many:
            return None
        related = relation.related_model
        queryset = nest.queryset
        if queryset is None:
            queryset = related._default_manager.all()
        if not queryset.query.order_by and not related._meta.ordering:
            queryset = queryset.order_by("pk")
        queryset = queryset.prefetch_related(None)
        child = FastList(
            type(list_serializer.child),
            model=related,
            computed=nest.computed,
            conditional=nest.conditional,
        )
        plan = child.plan(queryset)
        link = relation.field.attname
        plan.columns = list(dict.fromkeys([*plan.columns, link]))
        return cls(queryset, link, plan, out_key=f"__nested_{attrs[0]}")

    def fetch(self, ids: list, ctx: dict) -> dict:
        rows = statements.rows_in(self.queryset, self.link, self.plan.columns, ids)
        built = self.plan.build(rows, ctx)
        groups: dict = defaultdict(list)
        for raw, item in zip(rows, built, strict=True):
            groups[raw[self.link]].append(item)
        return groups


# FastListMixin: ``list()`` of a GenericAPIView through its ``fast_list``: the same filters,
# ordering and pagination envelope as ``ListModelMixin.list`` (the reference the equivalence
# tests call), rendered by ``core.renderers.FastJSONRenderer`` (the browsable API stays).
# No docstring on purpose: drf-spectacular would publish it as the description of every
# operation of the views that inherit it (the OpenAPI schema must not change).
class FastListMixin:
    fast_list: FastList
    renderer_classes = [FastJSONRenderer, renderers.BrowsableAPIRenderer]

    def list(self, request, *args, **kwargs):
        # Anonymous readers: the SQL compiled for this URL this minute (core.statements).
        reuse = statements.Reuse.for_request(self, request, self._fast_values)
        if reuse is None:
            values, plan_key = self._fast_values()
        else:
            values, plan_key = reuse.values()
        page = self.paginate_queryset(values)
        rows = page if page is not None else list(values)
        data = self.fast_list.build(rows, request, plan_key=plan_key)
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)

    def _fast_values(self):
        queryset = self.filter_queryset(self.get_queryset())
        fast = self.fast_list
        values = fast.values(queryset)  # builds the plan of this queryset's annotations
        return values, fast.plan_key(queryset)
