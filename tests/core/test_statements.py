"""core.statements: the SQL an anonymous list compiled for its URL is reused, reads the data as
it is now, answers what a fresh build answers (byte for byte, and as the serializer path), and
is never reused where it could carry data, belongs to a logged-in user, or is a minute old."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from coordination.api.views import IncidentViewSet
from core import statements
from core.fastjson import FastList, FastListMixin
from core.renderers import FastJSONRenderer
from registry.api.views import OrganizationViewSet
from tests.core.test_fast_lists import assert_same, body, demo  # noqa: F401 (fixture)


def _entries():
    from donations.api.reads import EntryList

    return EntryList


def _projects():
    from procurement.api.views import ProjectViewSet

    return ProjectViewSet


CASES = [
    (lambda: OrganizationViewSet, "/api/v1/organizations/?page_size=3&page=2"),
    (lambda: OrganizationViewSet, "/api/v1/organizations/?specialty=medical"),
    (lambda: OrganizationViewSet, "/api/v1/organizations/?page=99"),
    (_entries, "/api/v1/ledger/entries/?page_size=7"),
    (_entries, "/api/v1/ledger/entries/?kind=receipt&page_size=3"),
    (lambda: IncidentViewSet, "/api/v1/incidents/?page_size=1&page=2"),
    (_projects, "/api/v1/procurements/?page_size=2"),
]


@pytest.fixture
def builds(monkeypatch):
    """How many times a fast list built its queryset. The statements are reused within one
    minute of the clock: the clock stands at the start of a minute during the test, so no
    count depends on when it runs (one failed by crossing a minute on a slow machine)."""
    calls = []
    original = FastListMixin._fast_values

    def counted(self):
        calls.append(type(self).__name__)
        return original(self)

    monkeypatch.setattr(FastListMixin, "_fast_values", counted)
    statements.clear()
    start = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        yield calls


def test_a_url_is_compiled_once_and_answers_as_a_fresh_build(demo, builds):  # noqa: F811
    for view, path in CASES:
        view = view()
        builds.clear()
        first = assert_same(view, path)
        second = assert_same(view, path)
        assert builds == [view.__name__], path  # the second fast request built nothing
        assert second == first, path
        statements.clear()
        assert body(view, path)[1] == first, path  # compiled afresh
    # every cursor page of the ledger, both ways, on reused statements
    view, path = _entries(), "/api/v1/ledger/entries/?page_size=40"
    for _ in range(2):
        walk, pages = path, 0
        while walk:
            page = json.loads(assert_same(view, walk))
            if page["previous"]:
                assert_same(view, page["previous"].removeprefix("http://testserver"))
            walk = page["next"] and page["next"].removeprefix("http://testserver")
            pages += 1
        assert pages >= 5


def test_the_reused_sql_reads_the_data_as_it_is_now(db, official, builds):
    from tests.registry import factories as f

    f.OrganizationFactory(kind="volunteer_team", status="verified")
    path = "/api/v1/organizations/?kind=volunteer_team&page_size=1"
    before = json.loads(assert_same(OrganizationViewSet, path))
    f.OrganizationFactory(name="后来的救援队", kind="volunteer_team", status="verified")
    after = json.loads(assert_same(OrganizationViewSet, path))
    assert after["count"] == before["count"] + 1
    assert builds == ["OrganizationViewSet"]
    # A last page's slice follows the count ([0:2] now): that slice is compiled anew, once.
    everyone = json.loads(assert_same(OrganizationViewSet, "/api/v1/organizations/?page_size=9"))
    assert "后来的救援队" in {row["name"] for row in everyone["results"]}


def test_queries_per_request_are_the_same_built_or_reused(demo, builds):  # noqa: F811
    for view, path in CASES:
        view = view()
        counts = []
        statements.clear()
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                body(view, path)
            counts.append(len(queries))
        assert len(set(counts)) == 1, (path, counts)


def test_logged_in_users_build_their_own(demo, official, builds):  # noqa: F811
    for _ in range(3):
        assert_same(OrganizationViewSet, "/api/v1/organizations/?status=pending", official)
    assert len(builds) == 3


def test_the_next_minute_compiles_again(demo, builds):  # noqa: F811
    path = "/api/v1/ledger/entries/?page_size=5"
    with time_machine.travel(dt.datetime(2026, 5, 12, 6, 0, 10, tzinfo=dt.UTC), tick=False) as t:
        assert_same(_entries(), path)
        assert_same(_entries(), path)
        assert len(builds) == 1
        t.shift(dt.timedelta(seconds=60))
        assert_same(_entries(), path)
        assert len(builds) == 2


def test_a_refused_request_is_refused_again(demo, builds):  # noqa: F811
    path = "/api/v1/ledger/entries/?kind=bogus"
    first = body(_entries(), path)
    assert first[0] == 400
    assert body(_entries(), path) == first
    assert len(builds) == 2  # nothing kept from a build that raised


def test_a_build_that_runs_a_query_is_never_reused(db):
    from registry.models import Organization

    def build():
        ids = list(Organization.objects.values_list("pk", flat=True))  # data in the SQL
        return Organization.objects.filter(pk__in=ids).values("pk", "name"), frozenset()

    statements.clear()
    key = ("test", "/x", "zh-hans", 0)
    reuse = statements.Reuse(key, build)
    rows, _plan = reuse.values()
    assert list(rows) == []
    assert not reuse.reusable
    assert statements._urls.get(key) is None


def test_a_setting_change_forgets_every_statement(demo, builds):  # noqa: F811
    assert_same(OrganizationViewSet, "/api/v1/organizations/")
    with override_settings(TONGZHOU_STUCK_GOODS_DAYS=3):
        assert_same(OrganizationViewSet, "/api/v1/organizations/")
    assert len(builds) == 2


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_nested_rows_are_the_querysets_rows(demo, count):  # noqa: F811
    from donations.models import GoodsLine, LedgerEntry
    from registry.models import Capability

    statements.clear()
    cases = [
        (Capability.objects.order_by("specialty"), "organization_id", ["pk", "personnel"]),
        (GoodsLine.objects.order_by("pk"), "entry_id", ["pk", "name", "quantity", "entry_id"]),
    ]
    entry_ids = list(LedgerEntry.objects.values_list("pk", flat=True))
    org_ids = list(Capability.objects.values_list("organization_id", flat=True).distinct())
    for (queryset, link, columns), pool in zip(cases, (org_ids, entry_ids), strict=True):
        for start in range(0, 3):
            ids = [*pool[start : start + count - 1], 10**9]  # one id no row has
            for _ in range(2):  # compiled, then reused
                assert statements.rows_in(queryset, link, columns, ids) == list(
                    queryset.filter(**{f"{link}__in": ids}).values(*columns)
                )
    assert statements.rows_in(cases[0][0], "organization_id", ["pk"], []) == []
    dupes = [org_ids[0], org_ids[0]]
    assert statements.rows_in(cases[0][0], "organization_id", ["pk"], dupes) == list(
        cases[0][0].filter(organization_id__in=dupes).values("pk")
    )


def test_json_columns_decode_to_what_django_gives(db):
    """orjson where it agrees with json.loads; Django's own converter where it refuses."""
    from registry.models import Capability
    from tests.registry import factories as f

    odd = {
        "比例": 0.1,
        "tiny": 1e-07,
        "big": 10**30,
        "neg": -(2**63),
        "list": [1.5, "\u2028", None, True, {"深": [2**64]}],
        "": "",
    }
    cap = f.CapabilityFactory(personnel=odd)
    queryset = Capability.objects.filter(pk=cap.pk).values("pk", "personnel", "equipment")
    rows = statements.Statement(queryset).rows()
    assert rows == list(queryset)
    assert rows[0]["personnel"] == odd


def test_a_page_with_a_float_renders_as_drf_renders_it(db):
    """A JSON column holding a float that orjson spells differently: the page's bytes are
    DRF's all the same (the renderer reads its own output, core.renderers)."""
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer

    from registry.models import Capability
    from tests.registry import factories as f

    class Loose(serializers.ModelSerializer):
        personnel = serializers.JSONField()

        class Meta:
            model = Capability
            fields = ["id", "specialty", "personnel", "assessed_score"]

    fast = FastList(Loose)
    cap = f.CapabilityFactory(personnel={"medics": 3})
    queryset = Capability.objects.filter(pk=cap.pk)
    clean = fast.data(queryset)
    Capability.objects.filter(pk=cap.pk).update(personnel={"ratio": 1e-07, "half": 0.5})
    floaty = fast.data(queryset)
    assert floaty[0]["personnel"] == {"ratio": 1e-07, "half": 0.5}
    for data in (clean, floaty):
        page = {"count": 1, "results": data}
        assert FastJSONRenderer().render(page) == JSONRenderer().render(page)
    assert b'"ratio":1e-07' in FastJSONRenderer().render(floaty)


def test_lookups_by_text_are_the_querysets_rows(db):
    from core.models import Region

    regions = Region.objects.order_by()
    codes = list(Region.objects.values_list("code", flat=True)[:5])
    assert len(codes) == 5  # the regions come with the migrations
    for count in (1, 2, 5):
        wanted = [*codes[:count], "999999"]
        for _ in range(2):
            assert sorted(
                statements.rows_in(regions, "code", ["code", "name"], wanted),
                key=lambda row: row["code"],
            ) == sorted(
                regions.filter(code__in=wanted).values("code", "name"), key=lambda row: row["code"]
            )


def test_reused_rows_read_current_data_and_skip_query_running_builds(db, official):
    from registry.models import Organization
    from tests.registry import factories as f

    statements.clear()
    built = []

    def build():
        built.append(1)
        return Organization.objects.filter(kind="foundation").order_by("pk").values("pk", "name")

    before = statements.reused_rows(("test-orgs",), build)
    f.OrganizationFactory(kind="foundation", name="新基金会")
    after = statements.reused_rows(("test-orgs",), build)
    assert len(built) == 1
    assert [row["name"] for row in after] == [*(row["name"] for row in before), "新基金会"]

    def querying():
        built.append(2)
        first = Organization.objects.values_list("pk", flat=True).first()
        return Organization.objects.filter(pk=first).values("pk")

    statements.reused_rows(("test-query",), querying)
    statements.reused_rows(("test-query",), querying)
    assert built.count(2) == 2  # compiled each time: its SQL carries data


@pytest.mark.parametrize(
    "text",
    [
        *("0.00", "-0.00", "12.50", "99999999.99", "1E+2", "12.5", "12.505", "1234567890123.45"),
        *("9999999999.99", "-9999999999.99", "0E-7", "1E-3", "1.00E+3", "NaN", "-Infinity"),
        *("0.5E+1", "-12.50", "120", "1.2E+1", "999999999999.99", "00012.50"),
    ],
)
def test_fast_decimals_are_the_fields_text(text):
    from decimal import Decimal

    from rest_framework import serializers

    from core.fastjson import _fast_decimal

    field = serializers.DecimalField(max_digits=12, decimal_places=2)
    fast = _fast_decimal(field)
    try:
        expected = field.to_representation(Decimal(text))
    except Exception as error:  # DRF refuses what does not fit: so must the fast path
        with pytest.raises(type(error)):
            fast(Decimal(text))
    else:
        assert fast(Decimal(text)) == expected
    assert (
        _fast_decimal(serializers.DecimalField(max_digits=12, decimal_places=2, localize=True))
        is None
    )
    assert _fast_decimal(serializers.IntegerField()) is None


@settings(max_examples=500, deadline=None)
@given(
    st.decimals(allow_nan=True, allow_infinity=True, places=None)
    | st.builds(
        lambda sign, digits, exponent: Decimal((sign, digits, exponent)),
        st.integers(0, 1),
        st.lists(st.integers(0, 9), min_size=1, max_size=16).map(tuple),
        st.integers(-6, 4),
    ),
    st.integers(0, 4),
    st.integers(1, 16),
)
def test_fast_decimals_equal_drf_on_any_value(value, places, digits):
    """For any Decimal and any field shape, the fast text is DRF's, or both refuse."""
    from rest_framework import serializers

    from core.fastjson import _fast_decimal

    if places > digits:
        return
    field = serializers.DecimalField(max_digits=digits, decimal_places=places)
    fast = _fast_decimal(field)
    try:
        expected = field.to_representation(value)
    except Exception as error:
        with pytest.raises(type(error)):
            fast(value)
    else:
        assert fast(value) == expected


def test_fast_dates_are_the_fields_text():
    """ISO dates from isoformat(); what DRF treats otherwise (a string, a datetime, which it
    refuses, another format) goes to the field's own method."""
    import datetime as dt

    from rest_framework import serializers

    from core.fastjson import _fast_date

    field = serializers.DateField()
    fast = _fast_date(field)
    for value in (dt.date(2026, 12, 1), dt.date(1, 1, 1), "2026-12-01"):
        assert fast(value) == field.to_representation(value)
    with pytest.raises(AssertionError):
        fast(dt.datetime(2026, 12, 1, 8, 0))
    assert _fast_date(serializers.DateField(format="%Y年%m月%d日")) is None
    assert _fast_date(serializers.DateTimeField()) is None
