"""Bad input is a 4xx with a field-level message, never a 500, on every write endpoint.

The endpoints, the world their ids resolve in and the minimal bodies come from the permission
matrix (tests/core/test_permission_matrix.py). Each endpoint is called as the first role the
matrix lets act (2xx, 400 or 409 there), so a refusal below is the input check, not permission.
"""

import importlib
import inspect
import json

import pytest
from django.apps import apps
from django.db import transaction
from rest_framework import serializers

from core.api import StrictFieldsMixin
from core.parsers import MAX_JSON_DEPTH
from core.roles import Role
from tests.core.test_permission_matrix import (
    BODIES,
    MATRIX,
    ROLES,
    build_world,
    client_as,
    url_for,
    write_endpoints,
)
from tests.registry import factories as f

UNKNOWN = "tz_unknown_key"
UNKNOWN_FIELD = ["未知字段。"]  # "Unknown field." in the platform's default language
PROJECT_APPS = (
    "core",
    "registry",
    "alerts",
    "coordination",
    "preparedness",
    "procurement",
    "donations",
    "volunteers",
    "liaison",
    "community",
    "compensation",
)
# Django's own form views (login, password, language) are not the API.
API_WRITES = sorted(k for k in MATRIX if k.split(" ", 1)[1].startswith("/api/v1/"))
# DELETE carries no body by HTTP convention; its views never read one.
WITH_BODY = [k for k in API_WRITES if not k.startswith("DELETE ")]


# Where no persona of the matrix may act, the one who may (a provincial official takes over; an
# official of the region who also writes the compensation fund's ledger pays a claim).
ACTORS = {
    "POST /api/v1/incidents/{pk}/take-over/": "province_official",
    # the vouched team's roster is kept by its hub's members
    "POST /api/v1/vouched-teams/{pk}/people/": "rival_hub_member",
    "POST /api/v1/compensation-claims/{pk}/pay/": "fund_official",
}


def acting_role(key: str) -> str:
    """The first persona the matrix lets through to the input check."""
    if key in ACTORS:
        return ACTORS[key]
    for role, expected in zip(ROLES, MATRIX[key], strict=True):
        if expected < 300 or expected in (400, 409):
            return role
    raise AssertionError(f"no role may act on {key}")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build_world()
            w.province_official = f.official("510000", username="province_official")
            w.fund_official = f.official("511800", username="fund_official")
            fund = f.OrganizationFactory(kind="foundation", region_code="511800")
            f.MembershipFactory(user=w.fund_official, organization=fund, role=Role.ADMIN)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def send(world, key: str, body, *, raw: bytes | None = None):
    method, _ = key.split(" ", 1)
    path = url_for(key, world)
    client = client_as(acting_role(key), world, path)
    call = getattr(client, method.lower())
    if raw is not None:
        return call(path, raw, content_type="application/json")
    multipart = any(hasattr(value, "read") for value in body.values())
    return call(path, body, format="multipart" if multipart else "json")


# --- unknown keys (issue 4, first half) -------------------------------------------------------


def test_the_cases_cover_every_api_write_endpoint():
    live = {k for k in write_endpoints() if k.split(" ", 1)[1].startswith("/api/v1/")}
    assert live == set(API_WRITES)


@pytest.mark.parametrize("key", WITH_BODY)
def test_an_unknown_key_is_a_400_naming_it(world, db, key):
    body = dict(BODIES[key](world)) if key in BODIES else {}  # a copy: some share a dict
    body[UNKNOWN] = "1"
    response = send(world, key, body)
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response.json()[UNKNOWN] == UNKNOWN_FIELD


def test_the_minimal_bodies_alone_pass_the_key_check(world, db):
    """Guard against the test above passing for the wrong reason: without the extra key, no
    endpoint answers with an unknown-field error (the matrix bodies use only real fields)."""
    for key in WITH_BODY:
        body = BODIES[key](world) if key in BODIES else {}
        response = send(world, key, body)
        assert UNKNOWN_FIELD[0] not in response.content.decode(), key


def test_a_mistyped_nested_key_is_refused(api, official):
    """Nested serializers check their own objects: a mistyped audience key is not dropped."""
    response = api(official).post("/api/v1/alerts/preview/", {"organisations": [3]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"organisations": UNKNOWN_FIELD}


def test_a_mistyped_key_in_a_list_of_objects_is_refused(api, ngo_admin, ngo):
    body = {
        "organization": ngo.pk,
        "donor_kind": "individual",
        "channel": "in_kind",
        "items": [{"name": "矿泉水", "unit": "箱", "quantity": "5", "colour": "blue"}],
    }
    response = api(ngo_admin).post("/api/v1/ledger/receipts/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"items": {"0": {"colour": UNKNOWN_FIELD}}}


def test_read_only_fields_sent_back_are_unknown(api, ngo_admin, ngo):
    response = api(ngo_admin).patch(
        f"/api/v1/organizations/{ngo.pk}/", {"status": "verified"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"status": UNKNOWN_FIELD}


def test_the_message_in_english(api, official):
    response = api(official).post(
        "/api/v1/alerts/preview/?lang=en", {"organisations": [3]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"organisations": ["Unknown field."]}


def _project_serializers():
    for app in PROJECT_APPS:
        config = apps.get_app_config(app)
        for name in ("api", "api.serializers", "api_views", "api.me", "api.insurance"):
            try:
                module = importlib.import_module(f"{config.name}.{name}")
            except ModuleNotFoundError:
                continue
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(obj, serializers.BaseSerializer)
                    and obj.__module__.split(".")[0] in PROJECT_APPS
                    and not issubclass(obj, serializers.ListSerializer)
                ):
                    yield obj


def test_every_serializer_of_the_apps_is_strict():
    found = set(_project_serializers())
    assert len(found) > 50  # the walk reaches the apps' serializer modules
    lax = sorted(cls.__qualname__ for cls in found if not issubclass(cls, StrictFieldsMixin))
    assert not lax, f"serializers not built on core.api.StrictSerializer: {lax}"


# --- bodies that used to crash a view (issue 8) -----------------------------------------------

DEEP = ("[" * 1000 + "]" * 1000).encode()
BAD_BODIES = {
    "list": b"[1]",
    "string": b'"x"',
    "number": b"123",
    "deep": DEEP,
    "deep_object": ('{"a":' * 1000 + "1" + "}" * 1000).encode(),
    "surrogate_key": b'{"\\ud800": "x"}',
    "surrogate_value": b'{"username": "\\ud800", "password": "\\udfff", "reason": "\\ud800"}',
    "nan": b'{"amount": NaN}',
    "invalid_utf8": b'{"username": "\xff\xfe"}',
}


@pytest.mark.parametrize("key", API_WRITES)
def test_hostile_json_bodies_never_reach_a_500(world, db, key):
    for name, raw in BAD_BODIES.items():
        response = send(world, key, None, raw=raw)
        assert response.status_code < 500, (name, response.status_code, response.content[:300])


@pytest.mark.parametrize("name", list(BAD_BODIES))
@pytest.mark.parametrize(
    "path", ["/api/v1/auth/token/", "/api/v1/register/", "/api/v1/alerts/preview/"]
)
def test_hostile_bodies_are_a_400_where_the_body_is_read(api, official, path, name):
    response = api(official).post(path, BAD_BODIES[name], content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "detail" in response.json()


def test_nesting_up_to_the_limit_is_parsed(api, official):
    """The limit refuses only what is deeper than MAX_JSON_DEPTH (then the fields judge)."""
    inner = json.dumps({"regions": ["511826"]})
    ok = inner
    for _ in range(MAX_JSON_DEPTH - 2):
        ok = '{"x": ' + ok + "}"
    too_deep = '{"x": ' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1)
    client = api(official)
    answer = client.post("/api/v1/alerts/preview/", ok.encode(), content_type="application/json")
    assert answer.status_code == 400
    assert "x" in answer.json()  # parsed, then refused by the serializer as an unknown field
    answer = client.post(
        "/api/v1/alerts/preview/", too_deep.encode(), content_type="application/json"
    )
    assert answer.status_code == 400
    assert "detail" in answer.json() and "x" not in answer.json()


@pytest.mark.parametrize(
    "items",
    [
        "[" * 1000 + "]" * 1000,
        '[{"name": "\\ud800", "unit": "箱", "quantity": "1"}]',
        "[1",
    ],
)
def test_a_json_field_in_a_multipart_form_is_held_to_the_same_rules(api, ngo, ngo_admin, items):
    """Multipart forms carry goods lines as one JSON string: deep or broken is a field error."""
    body = {
        "organization": ngo.pk,
        "donor_kind": "individual",
        "channel": "in_kind",
        "items": items,
    }
    response = api(ngo_admin).post("/api/v1/ledger/receipts/", body, format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == ["items"]
