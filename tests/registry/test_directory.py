"""Public directory, detail pages, private fields, regions API and fixed query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registry.models import Document
from tests.registry import factories as f

pytestmark = pytest.mark.django_db

PHONE = "13988887777"


@pytest.fixture
def team():
    org = f.OrganizationFactory(
        name="名山区水上救援队",
        region_code="511803",
        contact_phone=PHONE,
        contact_email="secret@example.org",
        contact_name="秘密联系人",
        service_regions=["511800"],
    )
    f.CapabilityFactory(organization=org, specialty="water_rescue", declared_grade=2)
    f.CapabilityFactory(
        organization=org,
        specialty="diving_rescue",
        declared_grade=3,
        assessed_grade=None,
        valid_until=None,
    )
    doc = Document(
        organization=org,
        kind="insurance",
        title="保险单-机密",
        content_type="application/pdf",
        size=9,
    )
    doc.file.save("x", SimpleUploadedFile("x.pdf", b"%PDF-1.4\n"), save=False)
    doc.save()
    f.PersonFactory(organization=org, phone="13711112222")
    return org


def test_anonymous_api_responses_carry_no_private_fields(api, team):
    detail = api().get(f"/api/v1/organizations/{team.pk}/")
    listing = api().get("/api/v1/organizations/")
    for response in (detail, listing):
        assert response.status_code == 200
        text = response.content.decode()
        for secret in (
            PHONE,
            "secret@example.org",
            "秘密联系人",
            "保险单",
            "13711112222",
            "contact_phone",
        ):
            assert secret not in text
    assert api().get(f"/api/v1/organizations/{team.pk}/documents/").status_code == 404
    assert api().get(f"/api/v1/organizations/{team.pk}/members/").status_code == 404
    assert api().get("/api/v1/people/").status_code in (401, 403)


def test_public_pages_carry_no_private_fields(client, team):
    for url in ("/organizations/", f"/organizations/{team.pk}/", f"/organizations/?q={team.name}"):
        html = client.get(url).content.decode()
        assert team.name in html
        for secret in (PHONE, "secret@example.org", "秘密联系人", "保险单", "13711112222"):
            assert secret not in html


def test_members_and_officials_see_contacts(api, team, official, other_ngo_admin):
    member = f.org_user(team, "member")
    assert api(member).get(f"/api/v1/organizations/{team.pk}/").json()["contact_phone"] == PHONE
    assert api(official).get(f"/api/v1/organizations/{team.pk}/").json()["contact_phone"] == PHONE
    assert (
        "contact_phone" not in api(other_ngo_admin).get(f"/api/v1/organizations/{team.pk}/").json()
    )


def test_detail_page_shows_capabilities_grades_regions_and_track_record(client, team, monkeypatch):
    from core import hooks

    original = hooks.collect

    def collect(hook, *args):
        if hook == "organization_track_record":
            return [{"label": "已核验任务", "value": 7}]
        return original(hook, *args)

    monkeypatch.setattr(hooks, "collect", collect)
    html = client.get(f"/organizations/{team.pk}/").content.decode()
    assert "已核验任务" in html and "7" in html
    assert "雅安市" in html  # service region by name
    assert 'class="badge ok"' in html and 'class="badge muted"' in html


def test_pending_and_agencies_are_not_public(api, client, agency):
    pending = f.OrganizationFactory(status="pending")
    assert api().get(f"/api/v1/organizations/{pending.pk}/").status_code == 404
    assert client.get(f"/organizations/{pending.pk}/").status_code == 404
    ids = [o["id"] for o in api().get("/api/v1/organizations/").json()["results"]]
    assert pending.pk not in ids and agency.pk not in ids


def test_filters(api):
    water = f.OrganizationFactory(region_code="511803", kind="volunteer_team")
    f.CapabilityFactory(organization=water, specialty="water_rescue", declared_grade=1)
    foundation = f.OrganizationFactory(region_code="440300", kind="foundation")
    declared_only = f.OrganizationFactory(region_code="511826")
    f.CapabilityFactory(
        organization=declared_only,
        specialty="water_rescue",
        declared_grade=1,
        assessed_grade=None,
        valid_until=None,
    )
    third = f.OrganizationFactory(region_code="511826")
    f.CapabilityFactory(organization=third, specialty="water_rescue", declared_grade=3)

    def ids(query):
        return {o["id"] for o in api().get(f"/api/v1/organizations/?{query}").json()["results"]}

    assert ids("kind=foundation") == {foundation.pk}
    assert ids("region=440000") == {foundation.pk}
    assert ids("region=5118") == {water.pk, declared_only.pk, third.pk}
    assert ids("region=511803") == {water.pk}
    assert ids("specialty=water_rescue") == {water.pk, declared_only.pk, third.pk}
    assert ids("specialty=water_rescue&min_grade=2") == {water.pk}
    assert ids("min_grade=3") == {water.pk, third.pk}
    assert api().get("/api/v1/organizations/?min_grade=abc").status_code == 200


def test_directory_page_region_picker_and_filters(client):
    f.OrganizationFactory(name="芦山队", region_code="511826")
    f.OrganizationFactory(name="深圳队", region_code="440300")
    html = client.get("/organizations/?province=510000&city=511800").content.decode()
    assert "芦山队" in html and "深圳队" not in html
    assert "芦山县" in html  # the county select is filled
    html = client.get("/organizations/?province=440000").content.decode()
    assert "深圳队" in html and "芦山队" not in html


def test_regions_api(api):
    provinces = api().get("/api/v1/regions/").json()
    assert {"code": "510000", "name": "四川省", "level": "province", "parent": None} in provinces
    cities = api().get("/api/v1/regions/?parent=510000").json()
    assert any(r["code"] == "511800" and r["parent"] == "510000" for r in cities)
    counties = api().get("/api/v1/regions/?parent=511800").json()
    assert "511826" in {r["code"] for r in counties}
    assert api().get("/api/v1/regions/?parent=nonsense-code").json() == []


def _orgs(n):
    for _ in range(n):
        org = f.OrganizationFactory()
        f.CapabilityFactory(organization=org, specialty="water_rescue")
        f.CapabilityFactory(organization=org, specialty="hazmat")


@pytest.mark.parametrize("n", [5, 100])
def test_organization_list_api_costs_fixed_queries(api, official, django_assert_max_num_queries, n):
    _orgs(n)
    client = api(official)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/organizations/?page_size=200")
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [5, 100])
def test_directory_page_costs_fixed_queries(client, django_assert_max_num_queries, n):
    _orgs(n)
    with django_assert_max_num_queries(8):
        assert client.get("/organizations/?province=510000&city=511800").status_code == 200


@pytest.mark.parametrize("n", [5, 100])
def test_people_list_and_queue_cost_fixed_queries(
    api, client, official, django_assert_max_num_queries, n
):
    org = f.OrganizationFactory()
    for _ in range(n):
        f.PersonFactory(organization=org)
        f.OrganizationFactory(status="pending")
    with django_assert_max_num_queries(6):
        assert api(official).get("/api/v1/people/?page_size=200").json()["count"] == n
    client.force_login(official)
    with django_assert_max_num_queries(10):
        assert client.get("/verification/").status_code == 200


def test_odd_query_parameters_never_500(api, official):
    for query in (
        "min_grade=99999999999999999999999",
        "region=%00&search=%00&kind=%00",
        "page_size=-1&page=99999",
        "status=%00",
    ):
        assert api(official).get(f"/api/v1/organizations/?{query}").status_code in (200, 400, 404)
    assert api(official).get(
        "/api/v1/people/?organization=99999999999999999999999&skill=%00"
    ).status_code in (200, 400)
    assert api().get("/api/v1/regions/?parent=%00").status_code in (200, 400)
