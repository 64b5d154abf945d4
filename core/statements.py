"""Compiled SQL reused between requests: the public lists' cold path without the ORM's
per-request compilation (docs/public-reads.md, "Compiled statements").

Building a list's queryset (filters, annotations, joins) and compiling it to SQL costs more
CPU than PostgreSQL spends answering it: 1-2 ms per request for the organization directory or
the ledger's entries, against a few tenths of a millisecond of execution. The SQL of a list
depends only on the URL (path and query string), on who asks, and for a few lists on the time
(the ledger's "stuck goods" cutoff, a grade's expiry): never on the data, provided that
building the queryset runs no query.

- ``Statement``: one compiled ``values()`` query: its SQL and parameters, the row's keys, and
  Django's converters for each column, taken from the compiler that compiled it; ``rows()``
  runs it through the connection's cursor (so query counting, logging and execute wrappers
  see it) and returns what ``list(queryset)`` returns. JSON columns are decoded with orjson
  (Django's own converter is the fallback for anything orjson refuses), the same values.
- ``Reuse`` (anonymous readers of a ``FastListMixin`` list only): the values queryset handed to
  the paginator is a ``_Lazy`` stand-in that records what the paginator does to it
  (``order_by``, ``filter``, a slice) and runs, at ``count()`` or iteration, the statement
  compiled for that chain the first time this URL was asked in this minute. The queryset is
  built only on that first request; **a build that runs a query is never reused** (its SQL
  could carry data), and neither is one that raises (the same URL then builds and raises
  again: a 400 stays a 400). Keys: view class, path and query string, language, and the
  minute of ``timezone.now()`` (time-dependent parameters are as fresh as the per-minute
  queryset of ``donations.queries.public_entries``). Logged-in users' querysets depend on
  their memberships and jurisdiction: they keep building theirs.
- ``rows_in``: the nested lists of a page (``field__in=<the page's ids>``) compiled once
  per queryset and number of ids, for every reader: the nested querysets are module-level
  constants, so their SQL never changes; the ids are substituted into the parameters.

Both caches are per process, bounded (LRU), and cleared when a setting changes (tests).
``tests/core/test_statements.py`` holds a reused statement to a fresh compilation.
"""

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import orjson
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import F, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTransform
from django.utils import timezone, translation

MAX_KEYS = 1024  # URLs (and nested shapes) kept per process
_json_from_db = JSONField.from_db_value


class Statement:
    """A compiled ``values()`` query (see the module docstring)."""

    __slots__ = ("alias", "sql", "params", "names", "converters", "width")

    def __init__(self, queryset: QuerySet) -> None:
        query = queryset.query
        self.alias = queryset.db
        compiler = query.get_compiler(self.alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            sql, params = "", ()
        self.sql, self.params = sql, tuple(params)
        if query.selected:
            self.names = list(query.selected)
        else:
            self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        self.width = compiler.col_count if compiler.has_extra_select else None
        if not sql:
            self.converters = []
            return
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = [
            (pos, [_faster(c, expression) for c in convs], expression)
            for pos, (convs, expression) in compiler.get_converters(fields).items()
        ]

    def rows(self, params: tuple | list | None = None) -> list[dict]:
        if not self.sql:
            return []
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params if params is None else params)
            fetched = cursor.fetchall()
        names, width, converters = self.names, self.width, self.converters
        out = []
        for row in fetched:
            if converters:
                row = list(row)
                for pos, convs, expression in converters:
                    value = row[pos]
                    for convert in convs:
                        value = convert(value, expression, connection)
                    row[pos] = value
            if width is not None:
                row = row[:width]
            out.append(dict(zip(names, row, strict=False)))
        return out


# orjson reads an integer beyond 64 bits as a float (json.loads keeps it whole): any run of 19
# digits (2**63 has 19) sends the text to json.loads; a string or a long decimal merely costs that.
_LONG_NUMBER = re.compile(r"[0-9]{19}").search


def _faster(convert: Callable, expression: Any) -> Callable:
    """orjson for a JSON column's text (Django's converter is json.loads); the same objects.
    Django's converter stays for key transforms, custom decoders, what orjson refuses (NaN)
    and texts with a number orjson would read differently (integers beyond 64 bits)."""
    field = getattr(convert, "__self__", None)
    if (
        getattr(convert, "__func__", None) is not _json_from_db
        or field.decoder is not None
        or isinstance(expression, KeyTransform)
    ):
        return convert

    def loads(value, expression, connection):
        if type(value) is not str or (len(value) > 18 and _LONG_NUMBER(value)):
            return convert(value, expression, connection)
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return convert(value, expression, connection)

    return loads


@contextmanager
def _queries_run(alias: str = "default"):
    """The (sql, params) of every query run inside the block, on ``alias``."""
    ran: list[tuple[str, Any]] = []

    def capture(execute, sql, params, many, context):
        ran.append((sql, params))
        return execute(sql, params, many, context)

    with connections[alias].execute_wrapper(capture):
        yield ran


class _LRU:
    def __init__(self, size: int = MAX_KEYS) -> None:
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_urls = _LRU()
_nested = _LRU()


def clear(**_kwargs) -> None:
    _urls.clear()
    _nested.clear()


setting_changed.connect(clear)


# --- lists: the queryset of a URL, compiled once a minute --------------------------------------
class _Compiled:
    """What one URL compiled to: a statement per chain of paginator operations."""

    __slots__ = ("plan_key", "statements", "counts")

    def __init__(self, plan_key) -> None:
        self.plan_key = plan_key
        self.statements: dict[tuple, Statement] = {}
        self.counts: dict[tuple, Statement] = {}


class Reuse:
    """One request's stand-in queryset (see the module docstring)."""

    def __init__(self, key: tuple, build: Callable[[], tuple[QuerySet, Any]]) -> None:
        self.key = key
        self._build = build
        self._values: QuerySet | None = None
        self.compiled: _Compiled | None = _urls.get(key)
        self.reusable = True

    @classmethod
    def for_request(cls, view, request, build: Callable[[], tuple[QuerySet, Any]]):
        """A ``Reuse`` for an anonymous reader, else None (build the queryset as usual)."""
        user = getattr(request, "user", None)
        if user is None or user.is_authenticated:
            return None
        minute = int(timezone.now().timestamp() // 60)
        key = (type(view), request.get_full_path(), translation.get_language(), minute)
        return cls(key, build)

    def values(self) -> tuple["_Lazy", frozenset]:
        """The stand-in for the paginator, and the key of the list's plan (its annotations)."""
        if self.compiled is None:
            self._materialize()  # a 400 from the filters is raised here, as without reuse
        return _Lazy(self, ()), self.compiled.plan_key

    def _materialize(self) -> QuerySet:
        if self._values is None:
            with _queries_run() as ran:
                self._values, plan_key = self._build()
            self.reusable = not ran
            if self.compiled is None:
                self.compiled = _Compiled(plan_key)
                if self.reusable:
                    _urls.put(self.key, self.compiled)
        return self._values

    def _queryset(self, path: tuple) -> QuerySet:
        queryset = self._materialize()
        for op, args, kwargs in path:
            if op == "slice":
                queryset = queryset[args[0] : args[1]]
            else:
                queryset = getattr(queryset, op)(*args, **dict(kwargs))
        return queryset

    def rows(self, path: tuple) -> list[dict]:
        statement = self.compiled.statements.get(path)
        if statement is None:
            statement = Statement(self._queryset(path))
            if self.reusable:
                self.compiled.statements[path] = statement
        return statement.rows()

    def count(self, path: tuple) -> int:
        statement = self.compiled.counts.get(path)
        if statement is not None:
            return statement.rows()[0]["__count"]
        queryset = self._queryset(path)
        with _queries_run(queryset.db) as captured:
            value = queryset.count()
        if self.reusable and len(captured) == 1:
            statement = _count_statement(queryset.db, *captured[0])
            self.compiled.counts[path] = statement
        return value


def _count_statement(alias: str, sql: str, params) -> Statement:
    statement = Statement.__new__(Statement)
    statement.alias, statement.sql, statement.params = alias, sql, tuple(params or ())
    statement.names, statement.converters, statement.width = ["__count"], [], None
    return statement


class _Lazy:
    """What the paginator sees instead of the values queryset: records ``order_by``,
    ``filter`` and slices; runs the compiled statement at ``count()`` or iteration."""

    ordered = None  # Django's paginator then skips its "unordered" warning (the query is)

    def __init__(self, reuse: Reuse, path: tuple) -> None:
        self._reuse, self._path, self._rows = reuse, path, None

    def _then(self, op: str, args: tuple, kwargs: dict) -> "_Lazy":
        return _Lazy(self._reuse, (*self._path, (op, args, tuple(sorted(kwargs.items())))))

    def order_by(self, *fields):
        return self._then("order_by", fields, {})

    def filter(self, *args, **kwargs):
        return self._then("filter", args, kwargs)

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            return self._fetch()[index]
        return self._then("slice", (index.start, index.stop), {})

    def count(self) -> int:
        return self._reuse.count(self._path)

    def _fetch(self) -> list[dict]:
        if self._rows is None:
            self._rows = self._reuse.rows(self._path)
        return self._rows

    def __iter__(self):
        return iter(self._fetch())

    def __len__(self) -> int:
        return len(self._fetch())


# --- nested lists and lookups: one compiled query per queryset and number of values ----------
def _sentinels(kind: type, count: int) -> list | None:
    """Values no row has, standing where the real ones go in the compiled parameters (the
    statement compiled with them is never executed)."""
    if kind is int:
        return [-(2**62) - i for i in range(count)]
    if kind is str:
        return [f"\x00tongzhou-sentinel\x00{i}" for i in range(count)]
    return None


def rows_in(queryset: QuerySet, field: str, columns: list[str], values: list) -> list[dict]:
    """``queryset.filter(<field>__in=values).values(*columns)`` as a list, compiled once per
    queryset, field, columns and number of distinct values: the same rows as evaluating that
    queryset. For querysets that are constants (module level, or built from nothing but the
    arguments): the cache holds the queryset, so its identity stays its key."""
    values = list(dict.fromkeys(values))
    kind = type(values[0]) if values else None
    sentinels = _sentinels(kind, len(values)) if values else None
    if sentinels is None or any(type(v) is not kind for v in values):
        return list(queryset.filter(**{f"{field}__in": values}).values(*columns))
    key = (id(queryset), queryset.db, field, tuple(columns), kind, len(values))
    cached = _nested.get(key)
    if cached is None:
        statement = Statement(queryset.filter(**{f"{field}__in": sentinels}).values(*columns))
        wanted = {value: i for i, value in enumerate(sentinels)}
        positions = [
            (i, wanted[value])
            for i, value in enumerate(statement.params)
            if type(value) is kind and value in wanted
        ]
        if sorted(which for _, which in positions) != list(range(len(values))):
            return list(queryset.filter(**{f"{field}__in": values}).values(*columns))
        cached = (statement, positions, queryset)  # the queryset held: id() stays unique
        _nested.put(key, cached)
    statement, positions, _ = cached
    params = list(statement.params)
    for position, which in positions:
        params[position] = values[which]
    return statement.rows(params)


def reused_rows(key: tuple, build: Callable[[], QuerySet]) -> list[dict]:
    """The rows of the ``values()`` queryset ``build()`` returns, compiled once per ``key``
    (for every reader): for a query whose SQL the key determines (e.g. the 3W of an incident:
    its id). A build that runs a query is not kept, as for lists."""
    cached = _nested.get(("reused", *key))
    if cached is None:
        with _queries_run() as ran:
            queryset = build()
        cached = Statement(queryset)
        if not ran:
            _nested.put(("reused", *key), cached)
    return cached.rows()


def scalar_relation(model, key: str) -> Subquery | F | None:
    """``fk__column`` as a scalar subquery on the related row, or None for any other key: the
    value a LEFT JOIN gives (NULL without a related row), without the join, whose join-order
    search costs PostgreSQL more to plan than the lookups cost to run on a page of rows
    (docs/public-reads.md, "Planner costs")."""
    parts = key.split("__")
    if len(parts) != 2:
        return None
    try:
        link = model._meta.get_field(parts[0])
        related = link.related_model
        target = related._meta.get_field(parts[1]) if link.many_to_one else None
    except FieldDoesNotExist:
        return None
    if target is None or not link.concrete or not target.concrete or target.is_relation:
        return None
    if target.attname == link.target_field.attname:
        return F(link.attname)  # the key itself: the foreign key column holds it
    rows = related._base_manager.filter(**{link.target_field.attname: OuterRef(link.attname)})
    return Subquery(rows.order_by().values(target.attname)[:1], output_field=target)
