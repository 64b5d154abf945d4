"""The directory of responsibilities, and agencies visible to organizations."""

import pytest

from liaison.models import Responsibility
from tests.liaison.factories import ResponsibilityFactory
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def test_an_ngo_sees_agencies_the_public_does_not(api, client, ngo_admin, agency):
    """Issue 21: /organizations/<agency> was a 404 and kind=agency listed nothing for an NGO."""
    assert client.get(f"/organizations/{agency.pk}/").status_code == 404
    assert api().get("/api/v1/organizations/?kind=agency").json()["count"] == 0
    ids = [
        o["id"] for o in api(ngo_admin).get("/api/v1/organizations/?kind=agency").json()["results"]
    ]
    assert ids == [agency.pk]
    assert api(ngo_admin).get(f"/api/v1/organizations/{agency.pk}/").status_code == 200
    client.force_login(ngo_admin)
    assert client.get(f"/organizations/{agency.pk}/").status_code == 200
    assert agency.name in client.get("/organizations/?kind=agency").content.decode()
    pending = f.AgencyFactory(status="pending", region_code="511900")
    assert client.get(f"/organizations/{pending.pk}/").status_code == 404


def test_lookup_walks_up_the_region_tree_nearest_first(api, agency, province_official):
    province = province_official.memberships.get().organization
    county = f.AgencyFactory(name="芦山县应急管理局", region_code="511826")
    ResponsibilityFactory(agency=province, unit="省救灾物资处")
    ResponsibilityFactory(agency=agency, unit="市物资保障科")
    ResponsibilityFactory(agency=county, function="relief", unit="县救助股")
    ResponsibilityFactory(agency=f.AgencyFactory(region_code="511900"), unit="巴中")
    rows = api().get("/api/v1/responsibilities/?function=supply_allocation&region=511826").json()
    assert [r["unit"] for r in rows] == ["市物资保障科", "省救灾物资处"]
    assert rows[0]["region_display"] == "四川省 雅安市"
    # a reorganization changes one row
    ResponsibilityFactory._meta.model.objects.filter(unit="市物资保障科").update(
        unit="市应急局物资科"
    )
    rows = api().get("/api/v1/responsibilities/?function=supply_allocation&region=511826").json()
    assert rows[0]["unit"] == "市应急局物资科"


def test_members_only_rows(api, client, ngo_member, official, agency):
    ResponsibilityFactory(agency=agency, unit="公开科室")
    ResponsibilityFactory(agency=agency, function="relief", unit="内部科室", public=False)
    assert [r["unit"] for r in api().get("/api/v1/responsibilities/").json()] == ["公开科室"]
    units = {r["unit"] for r in api(ngo_member).get("/api/v1/responsibilities/").json()}
    assert units == {"公开科室", "内部科室"}
    assert "内部科室" not in client.get("/directory/").content.decode()


def test_an_agency_keeps_its_own_rows(api, client, official, ngo_admin, outside_official, agency):
    body = {
        "function": "supply_allocation",
        "unit": "救灾和物资保障科",
        "duty_contact": "王值班",
        "duty_phone": "0835-2221111",
    }
    assert api(ngo_admin).post("/api/v1/responsibilities/", body, format="json").status_code == 403
    assert api().post("/api/v1/responsibilities/", body, format="json").status_code == 403
    created = api(official).post("/api/v1/responsibilities/", body, format="json")
    assert created.status_code == 201 and created.json()["agency"] == agency.pk
    # the same function again edits the one row
    again = api(official).post(
        "/api/v1/responsibilities/", {**body, "unit": "物资保障处"}, format="json"
    )
    assert again.status_code == 201 and Responsibility.objects.get().unit == "物资保障处"
    bad = api(official).post(
        "/api/v1/responsibilities/", {**body, "function": "parking"}, format="json"
    )
    assert bad.status_code == 400 and list(bad.json()) == ["function"]
    other = api(outside_official).post("/api/v1/responsibilities/", body, format="json")
    assert other.status_code == 201 and other.json()["agency"] != agency.pk
    client.force_login(official)
    response = client.post(
        "/directory/edit/", {**body, "function": "relief", "unit": "救助科", "public": ""}
    )
    assert response.status_code == 302
    assert Responsibility.objects.get(agency=agency, function="relief").public is False
    client.force_login(ngo_admin)
    assert client.get("/directory/edit/").status_code == 403


def test_the_directory_page_names_the_unit_to_call(client, ngo_admin, agency):
    ResponsibilityFactory(agency=agency, unit="雅安市救灾物资科")
    client.force_login(ngo_admin)
    html = client.get("/directory/?function=supply_allocation&region=511826").content.decode()
    assert 'data-testid="nearest"' in html and "雅安市救灾物资科" in html
    assert 'href="tel:0835-2220000"' in html
    assert_readable_html(html)
