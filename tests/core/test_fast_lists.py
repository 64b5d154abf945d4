"""The cold path of public lists (core.fastjson, core.renderers): for every fast list, the
bytes of the fast path equal the bytes of the serializer path (DRF's ListModelMixin.list and
JSONRenderer), on the demo data and on edge data, for the public and for logged-in users; and
the queries per request do not grow with the page."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import mixins, renderers
from rest_framework.test import APIRequestFactory, force_authenticate

from coordination.api.views import IncidentViewSet
from registry.api.views import OrganizationViewSet
from tests.registry import factories as f

factory = APIRequestFactory()


def reference_of(viewset):
    """The same viewset answering with the serializer and DRF's JSON renderer."""
    return type(
        f"Reference{viewset.__name__}",
        (viewset,),
        {"list": mixins.ListModelMixin.list, "renderer_classes": [renderers.JSONRenderer]},
    )


def body(viewset, path, user=None, action="list", **kwargs) -> tuple[int, bytes]:
    request = factory.get(path)
    if user is not None:
        force_authenticate(request, user=user)
    is_viewset = hasattr(viewset, "get_extra_actions")
    view = viewset.as_view({"get": action}) if is_viewset else viewset.as_view()
    response = view(request, **kwargs)
    response.render()
    return response.status_code, response.content


def assert_same(viewset, path, user=None, action="list", **kwargs) -> bytes:
    fast = body(viewset, path, user, action, **kwargs)
    slow = body(reference_of(viewset), path, user, action, **kwargs)
    assert fast == slow, path
    return fast[1]


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, stdout=io.StringIO())


ORGANIZATION_PATHS = [
    "/api/v1/organizations/",
    "/api/v1/organizations/?page_size=3",
    "/api/v1/organizations/?page_size=3&page=2",
    "/api/v1/organizations/?kind=ngo",
    "/api/v1/organizations/?region=511800",
    "/api/v1/organizations/?specialty=medical",
    "/api/v1/organizations/?min_grade=2",
    "/api/v1/organizations/?search=%E6%95%91",
    "/api/v1/organizations/?status=pending",
    "/api/v1/organizations/?page=99",
]


def test_organizations_demo_data_same_output_for_everyone(demo, django_user_model):
    users = [None, *django_user_model.objects.filter(memberships__isnull=False).distinct()[:8]]
    for user in users:
        for path in ORGANIZATION_PATHS:
            assert_same(OrganizationViewSet, path, user)


def test_organizations_edge_rows(db, official, ngo_admin, ngo):
    """Nulls, empty nested lists, decimals, Chinese text, expired and revoked grades, private
    contacts for members and officials only."""
    import datetime as dt

    from django.utils import timezone

    from registry.models import Capability

    bare = f.OrganizationFactory(name="空白组织", founded_on=None, website="")
    bare.capabilities.all().delete()
    today = timezone.localdate()
    for specialty, grade, valid, revoked in [
        ("emergency_medical", 1, today + dt.timedelta(days=30), None),
        ("water_rescue", 1, today, None),  # the last day it counts
        ("mountain_rescue", 2, today - dt.timedelta(days=1), None),
        ("logistics", 3, today + dt.timedelta(days=30), timezone.now()),
        ("psychological_support", None, None, None),
    ]:
        Capability.objects.update_or_create(
            organization=ngo,
            specialty=specialty,
            defaults={
                "declared_grade": 2,
                "assessed_grade": grade,
                "assessed_score": Decimal("87.50") if grade else None,
                "valid_until": valid,
                "revoked_at": revoked,
                "personnel": {"medic": 3, "其他": 1},
                "equipment": [{"name": "担架", "quantity": 4}],
                "certified_personnel": [{"name": "王医生", "certificate": "执业医师"}],
                "phases": ["response"],
            },
        )
    ngo.contact_name, ngo.contact_phone, ngo.description = "张三", "13800000000", "a\u2028b"
    ngo.save()
    for user in (None, official, ngo_admin):
        content = assert_same(OrganizationViewSet, "/api/v1/organizations/", user)
        assert (b"13800000000" in content) == (user is not None)
        assert b"\\u2028" in content and "担架".encode() in content
        assert b'"capabilities":[]' in content  # the bare organization
    other = f.OrganizationFactory(name="另一队")
    outsider = f.org_user(other)
    content = assert_same(OrganizationViewSet, "/api/v1/organizations/", outsider)
    assert b"13800000000" not in content and other.contact_phone.encode() in content


LEDGER_PATHS = [
    "/api/v1/ledger/entries/",
    "/api/v1/ledger/entries/?page_size=7",
    "/api/v1/ledger/entries/?kind=receipt",
    "/api/v1/ledger/entries/?kind=allocation&page_size=3",
    "/api/v1/ledger/entries/?since=2020-01-01T00:00:00Z",
    "/api/v1/ledger/entries/?organization=1",
    "/api/v1/ledger/entries/?kind=nonsense",
]


def test_ledger_entries_demo_data_and_every_page(demo, ngo_admin, official):
    import json

    from donations.api.reads import EntryList

    for user in (None, ngo_admin, official):
        for path in LEDGER_PATHS:
            assert_same(EntryList, path, user)
    # walk the cursor pages both ways: the same next/previous links and rows
    path, pages, seen = "/api/v1/ledger/entries/?page_size=40", 0, b""
    while path:
        content = assert_same(EntryList, path, None)
        seen += content
        page = json.loads(content)
        path = page["next"] and page["next"].removeprefix("http://testserver")
        pages += 1
        if page["previous"]:
            assert_same(EntryList, page["previous"].removeprefix("http://testserver"))
    assert pages >= 5
    for part in (b'"lines":[{', b'"sources":[{', b'"reversed":true', b'"shortfall_signed":true'):
        assert part in seen, part  # the demo data exercises the nested and annotated parts


def test_scalar_relations_read_the_joined_values_without_joins(demo):
    """``scalar_relations``: the names one foreign key away come by subqueries (no JOIN in the
    page query) and equal the joined values, NULL where there is no related row."""
    from core import statements
    from core.fastjson import FastList
    from donations import queries
    from donations.api.reads import ENTRIES
    from donations.api.serializers import EntryOut

    assert ENTRIES.scalar_relations
    queryset = queries.public_entries().filter(seq__isnull=False)
    scalar = ENTRIES.values(queryset)
    joined = FastList(EntryOut, computed=ENTRIES.computed).values(queryset)
    assert " JOIN " not in str(scalar.query) and " JOIN " in str(joined.query)
    rows = list(scalar)
    assert rows == list(joined) and len(rows) > 10
    assert statements.Statement(scalar).rows() == rows
    names = {row["counterparty__name"] for row in rows}
    assert None in names and len(names) > 1  # with and without a related row
    assert {row["incident__title"] for row in rows} == {"芦山县6.1级地震"}


INCIDENT_PATHS = [
    "/api/v1/incidents/",
    "/api/v1/incidents/?page_size=1",
    "/api/v1/incidents/?page_size=1&page=2",
    "/api/v1/incidents/?status=closed",
    "/api/v1/incidents/?region=511800",
    "/api/v1/incidents/?kind=accident",
    "/api/v1/incidents/?grade=9",
    "/api/v1/incidents/?grade=x",
]


def test_incidents_demo_and_edge_rows(demo, official, ngo_admin, agency):
    from coordination.models import Incident

    Incident.objects.create(
        title="化工厂爆炸事故",
        kind="accident",
        region_code="511802",
        started_at="2026-05-01T08:00:00+08:00",
        deaths=None,
        serious_injuries=12,
        direct_loss=Decimal("12345678.90"),
        lead_agency=agency,
    )
    Incident.objects.create(
        title="无牵头单位", kind="accident", region_code="511802", started_at="2026-05-02T08:00Z"
    )
    for user in (None, official, ngo_admin):
        for path in INCIDENT_PATHS:
            assert_same(IncidentViewSet, path, user)
    content = assert_same(IncidentViewSet, "/api/v1/incidents/?kind=accident")
    from coordination.models import suggest_accident_grade

    grade = suggest_accident_grade(
        deaths=None, serious_injuries=12, direct_loss=Decimal("12345678.90")
    )
    assert f'"suggested_grade":{grade}'.encode() in content and grade is not None
    assert b'"suggested_grade":null' in content and b'"lead_agency_name":null' in content


class ReferenceThreeW(IncidentViewSet):
    """The 3W as before the cold path: the serializer over queries.three_w, DRF's renderer."""

    renderer_classes = [renderers.JSONRenderer]

    def three_w_data(self, incident):
        from coordination import queries
        from coordination.api.serializers import ThreeWRowSerializer

        return ThreeWRowSerializer(queries.three_w(incident), many=True).data


def test_three_w_demo_and_edge_rows_same_bytes(demo, official, ngo):
    from coordination.models import Incident, Task
    from tests.coordination.factories import (
        IncidentFactory,
        NeedFactory,
        TaskFactory,
        TaskReportFactory,
    )

    edge = IncidentFactory(title="边界事件")
    need = NeedFactory(incident=edge)
    held = {"organization": ngo, "status": "in_progress", "specialty": ""}
    reported = TaskFactory(incident=edge, need=need, region_code="511826", **held)
    TaskReportFactory(task=reported, people_served=12)
    TaskReportFactory(task=reported, people_served=30)
    TaskFactory(incident=edge, need=None, region_code="5118", **held)
    TaskFactory(incident=edge, organization=ngo, status="cancelled")  # left out
    TaskFactory(incident=edge, organization=None)  # nobody holds it: left out
    assert Task.objects.filter(incident=edge).count() == 4
    seen = b""
    for pk in Incident.objects.values_list("pk", flat=True):
        path = f"/api/v1/incidents/{pk}/3w/"
        for user in (None, official):
            fast = body(IncidentViewSet, path, user, "three_w", pk=pk)
            assert fast == body(ReferenceThreeW, path, user, "three_w", pk=pk), path
            seen += fast[1]
    assert seen.count(b'"task_id"') >= 4 and b'"sector":""' in seen and b'"reached":42' in seen


# --- the renderer ----------------------------------------------------------------------------
TRICKY = [
    {"text": '中文 «ü» \u2028 \u2029 \x00 \x1f \x7f \\ " / \ud7ff \U0001f600', "n": None},
    {"int": 2**63 - 1, "neg": -(2**63), "bool": True, "empty": {}, "list": []},
    {"big": 2**70},  # beyond orjson: DRF renders it
    {1: "non-string key"},  # orjson refuses: DRF renders it
    {"float": 0.1, "exp": 1e16, "small": 1e-7},
    {"decimal": Decimal("1E+20"), "plain": Decimal("12.50")},
    {"lazy": __import__("django.utils.translation", fromlist=["x"]).gettext_lazy("Incidents")},
    {
        "date": __import__("datetime").date(2026, 5, 12),
        "dt": __import__("datetime").datetime(2026, 5, 12, 14, 28, 1, 123456),
        "uuid": __import__("uuid").UUID(int=1),
    },
]


@pytest.mark.parametrize("data", TRICKY)
def test_fast_renderer_writes_drf_bytes(data):
    from core.renderers import FastJSONRenderer

    assert FastJSONRenderer().render(data) == renderers.JSONRenderer().render(data)
    indented = "application/json; indent=2"
    assert FastJSONRenderer().render(data, indented) == renderers.JSONRenderer().render(
        data, indented
    )


def test_every_float_body_renders_as_drf_renders_it():
    """orjson and ``json`` spell some floats differently (``1e-7``/``1e-07``, ``0.00001``/
    ``1e-05``): the renderer finds those in orjson's bytes and lets DRF render. Pinned over
    random doubles, every power of ten, and each float in every position a body has."""
    import random
    import struct

    from core.renderers import FastJSONRenderer

    rng = random.Random(7)
    values = [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(4000)]
    values += [rng.random() * 10.0**e for e in range(-30, 30) for _ in range(20)]
    values += [m * 10.0**e for e in range(-320, 308) for m in (1, -1.5, 9.999999)]
    for value in values:
        if value != value or value in (float("inf"), float("-inf")):
            continue
        for data in (
            {"x": [value, "9e3f1e5", "e-7]", "0.00001"]},
            {"a": {"b": [{"c": value}], "d": value}},
            [value],
            value,
            {"x": Decimal(repr(value))},
        ):
            assert FastJSONRenderer().render(data) == renderers.JSONRenderer().render(data)
    assert FastJSONRenderer().render({"x": 1.14e-05}) == b'{"x":1.14e-05}'


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**63 - 1)
        | st.text()
        | st.floats(allow_nan=False, allow_infinity=False),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    )
)
def test_any_json_body_renders_as_drf_renders_it(data):
    from core.renderers import FastJSONRenderer

    assert FastJSONRenderer().render(data) == renderers.JSONRenderer().render(data)


def test_floats_orjson_spells_alike_take_the_fast_path(monkeypatch):
    """The check reads number tokens, not text: such floats, and float-like text inside
    strings, stay on orjson (a page with a ratio of 0.5 is not rendered twice)."""
    from core.renderers import FastJSONRenderer, float_text_differs

    def refuse(*args, **kwargs):
        raise AssertionError("DRF's renderer was used")

    monkeypatch.setattr(renderers.JSONRenderer, "render", refuse)
    data = {"r": [0.5, 1e16, -2.25, 1e-10], "t": "1e-7 or 0.00001"}
    assert FastJSONRenderer().render(data) == (
        b'{"r":[0.5,1e+16,-2.25,1e-10],"t":"1e-7 or 0.00001"}'
    )
    assert float_text_differs(b'{"x":[1e-7]}') and float_text_differs(b'{"x":-0.00002}')
    assert float_text_differs(b"0.00001") and float_text_differs(b"-1e-7")
    assert not float_text_differs(b'{"x":"e-7]","y":"v0.00001"}')


def test_non_finite_floats_are_written_null():
    """DRF refuses NaN and Infinity (strict JSON); no stored value can hold one (module
    docstring of core.renderers), and the fast path writes ``null``."""
    from core.renderers import FastJSONRenderer

    assert FastJSONRenderer().render({"x": float("nan")}) == b'{"x":null}'


def test_fast_renderer_uses_orjson_for_plain_bodies(monkeypatch):
    """The fast path is taken (not the fallback) for what lists send."""
    from core.renderers import FastJSONRenderer

    def refuse(*args, **kwargs):
        raise AssertionError("DRF's renderer was used")

    monkeypatch.setattr(renderers.JSONRenderer, "render", refuse)
    assert FastJSONRenderer().render({"a": ["中", 1, None, "x\u2028"]}) == (
        '{"a":["中",1,null,"x\\u2028"]}'.encode()
    )


# --- queries per request do not grow with the page --------------------------------------------
@pytest.mark.parametrize(
    "view,path",
    [
        (OrganizationViewSet, "/api/v1/organizations/?page_size={}"),
        ("ledger", "/api/v1/ledger/entries/?page_size={}"),
        (IncidentViewSet, "/api/v1/incidents/?page_size={}"),
        ("procurements", "/api/v1/procurements/?page_size={}"),
    ],
)
def test_queries_constant_in_page_size(demo, view, path, official):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if view == "ledger":
        from donations.api.reads import EntryList as view
    elif view == "procurements":
        from procurement.api.views import ProjectViewSet as view
    counts = []
    for size in (2, 200):
        user = type(official).objects.get(pk=official.pk)  # memberships not cached yet
        with CaptureQueriesContext(connection) as queries:
            status, content = body(view, path.format(size), user)
        assert status == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


PROJECT_PATHS = [
    "/api/v1/procurements/",
    "/api/v1/procurements/?page_size=2",
    "/api/v1/procurements/?page_size=2&page=2",
    "/api/v1/procurements/?status=tendering",
    "/api/v1/procurements/?region=5118",
    "/api/v1/procurements/?method=x",
]


def test_procurements_demo_data_same_output_for_everyone(demo, official, ngo_admin):
    import json

    from procurement.api.views import ProjectViewSet

    seen = b""
    for user in (None, official, ngo_admin):
        for path in PROJECT_PATHS:
            seen += assert_same(ProjectViewSet, path, user)
    results = json.loads(body(ProjectViewSet, "/api/v1/procurements/?page_size=200")[1])
    assert results["count"] >= 2
    # the demo exercises the parts read outside values(): awards, contracts, invitees
    assert any(r["award"] for r in results["results"]) and any(
        r["contract"] for r in results["results"]
    )
    assert b'"service_standards":[{' in seen and b'"criteria":[{' in seen


def test_procurements_edge_rows(db, official, ngo_admin):
    """Invitees in the organizations' order, no eligibility, no standards, drafts for the
    official of the region only."""
    from django.utils import timezone

    from procurement.api.views import ProjectViewSet
    from tests.procurement.factories import ProjectFactory

    invited = [f.OrganizationFactory(name=name) for name in ("乙队", "甲队", "丙队")]
    published = ProjectFactory(
        title="邀请招标“测试”",
        method="invited_tender",
        published_at=timezone.now(),
        status="tendering",
        eligibility_specialty="",
        eligibility_min_grade=None,
        standards=False,
    )
    published.invitees.set(invited)
    ProjectFactory(title="草稿项目")  # a draft: its region's official sees it
    for user in (None, official, ngo_admin):
        content = assert_same(ProjectViewSet, "/api/v1/procurements/", user)
        assert ("草稿项目".encode() in content) == (user == official)
    assert b'"eligibility":{"specialty":null,"min_grade":null}' in content
    assert b'"service_standards":[],"criteria":[]' in content
    order = sorted(invited, key=lambda o: (o.name, o.pk))
    assert f'"invitees":{[o.pk for o in order]}'.replace(" ", "").encode() in content


def test_the_schema_of_fast_lists_is_the_serializers():
    """drf-spectacular documents the fast lists from their serializers, as before; the mixin
    adds no description of its own."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, name in [
        ("/api/v1/organizations/", "PaginatedOrganizationList"),
        ("/api/v1/ledger/entries/", "PaginatedEntryOutList"),
        ("/api/v1/incidents/", "PaginatedIncidentList"),
        ("/api/v1/procurements/", "PaginatedProjectList"),
    ]:
        get = schema["paths"][path]["get"]
        ref = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{name}"
        assert "fast_list" not in get.get("description", "")


def test_ledger_entries_edge_rows(db, ngo, ngo_admin, official):
    """Goods with and without expiry dates, a restricted anonymous receipt, a disbursement
    drawing on lots (sources), a reversal, Chinese text and U+2028, no incident."""
    import datetime as dt

    from donations import services
    from donations.api.reads import EntryList
    from tests.donations import factories as df

    charity = df.foundation(name="四川“同舟”基金会")
    admin = df.writer(charity)
    goods = df.receipt(
        charity,
        admin,
        items=[
            df.item("药品", "盒", "12.5", "8.80", expiry_date=dt.date(2027, 1, 31)),
            df.item("帐篷", "顶", "3", "0"),
        ],
        anonymous=True,
        restricted=True,
        purpose="安置点\u2028用途",
    )
    money = df.receipt(charity, admin, "1000.00", donor_name="王五")
    services.disburse(
        organization=charity,
        by=admin,
        purpose="安置点\u2028用途",
        items=[df.item("药品", "盒", "2", "8.80")],
        sources=[{"entry": goods.pk, "item": "药品", "quantity": Decimal("2")}],
    )
    services.reverse(entry=money, by=admin, reason="录入错误")
    seen = b""
    for user in (None, admin, official):
        for path in ("/api/v1/ledger/entries/", "/api/v1/ledger/entries/?page_size=1"):
            seen += assert_same(EntryList, path, user)
    for part in (b'"expiry_date":"2027-01-31"', b'"expiry_date":null', b'"sources":[{"entry"'):
        assert part in seen, part
    assert b'"reversed":true' in seen and b"\\u2028" in seen and b'"incident":null' in seen


# --- the compiler refuses what it cannot map ----------------------------------------------------
def test_a_field_the_compiler_cannot_map_fails_loudly():
    """A serializer field that is no column (a property, a method field) must be declared:
    compiling without it raises, naming the field; it is never silently left out."""
    from django.core.exceptions import ImproperlyConfigured
    from rest_framework import serializers

    from core.fastjson import FastList
    from donations.api.serializers import EntryOut
    from donations.models import LedgerEntry
    from procurement.api.serializers import ProjectSerializer

    with pytest.raises(ImproperlyConfigured, match="method_name"):
        FastList(ProjectSerializer).plan()

    class WithNullablePath(EntryOut):
        # through a nullable foreign key, with neither default=None nor allow_null: DRF would
        # leave the key out when there is no incident, a values() row cannot tell
        incident_kind = serializers.CharField(source="incident.kind")

        class Meta(EntryOut.Meta):
            fields = [*EntryOut.Meta.fields, "incident_kind"]

    from donations.api.reads import ENTRIES
    from donations.queries import public_entries

    assert ENTRIES.plan(public_entries()).columns  # the real one compiles
    with pytest.raises(ImproperlyConfigured, match="sequenced"):  # a property: declared there
        FastList(EntryOut).plan(public_entries())
    with pytest.raises(ImproperlyConfigured, match="incident_kind"):
        FastList(WithNullablePath, model=LedgerEntry, computed=ENTRIES.computed).plan(
            public_entries()
        )


def test_fast_datetimes_are_the_fields_text():
    """The per-page timezone fast path writes what the field writes, including the cases it
    hands back to the field: a field with its own zone or format, a naive value, an offset
    that is not whole minutes (Asia/Shanghai's local mean time before 1901)."""
    import datetime as dt
    import zoneinfo

    from django.utils import timezone
    from rest_framework import serializers

    from core.api import DateTimeField
    from core.fastjson import _fast_datetime

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    values = [
        dt.datetime(2026, 5, 12, 6, 28, 0, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 5, 12, 14, 28, tzinfo=shanghai),
        dt.datetime(1890, 1, 1, 12, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 5, 12, 14, 28),
        None,
    ]
    fields = [
        DateTimeField(),
        serializers.DateTimeField(),
        serializers.DateTimeField(format="%Y-%m-%d"),
        serializers.DateTimeField(default_timezone=dt.UTC),
    ]
    for zone in (shanghai, dt.UTC):
        with timezone.override(zone):
            for field in fields:
                fast = _fast_datetime(field, "at")
                for value in values:
                    expected = None if value is None else field.to_representation(value)
                    if fast is None:
                        continue
                    got = fast({"at": value}, {"_tz": timezone.get_current_timezone()})
                    assert got == expected, (field, value, zone)
    assert _fast_datetime(fields[2], "at") is None
    assert _fast_datetime(fields[3], "at") is None
    assert _fast_datetime(DateTimeField(), "at") is not None
