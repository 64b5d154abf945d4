"""The incident maps and the needs chart: who sees exact points (pages and API), what the map
holds, the choropleth, the chart, points entered through the forms and the API, and the cost.

Rule (coordination.maps): a need's, a filing's or a task's point is exact for officials whose
jurisdiction covers its area and for members of the organization involved (the need's poster,
the filing organization, the task's holder); everyone else sees a stable stand-in 0.5-2 km away.
"""

import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from coordination import maps
from coordination.models import Deployment, Need, Task
from core import geo, permissions
from tests.coordination.factories import (
    DeploymentFactory,
    IncidentFactory,
    NeedFactory,
    TaskFactory,
)
from tests.readable import assert_readable_html
from tests.registry.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

NEED_POINT = (Decimal("30.300000"), Decimal("102.970000"))
FILING_POINT = (Decimal("30.250000"), Decimal("102.930000"))
TASK_POINT = (Decimal("30.270000"), Decimal("102.990000"))


@pytest.fixture
def world(incident, ngo, other_ngo):
    """A need posted by ``ngo``, ``other_ngo``'s approved filing, a task ``other_ngo`` holds."""
    need = NeedFactory(
        incident=incident,
        posted_by_organization=ngo,
        latitude=NEED_POINT[0],
        longitude=NEED_POINT[1],
    )
    filing = DeploymentFactory(
        incident=incident,
        organization=other_ngo,
        latitude=FILING_POINT[0],
        longitude=FILING_POINT[1],
    )
    task = TaskFactory(
        incident=incident,
        need=need,
        organization=other_ngo,
        status="in_progress",
        quantity_committed=30,
        latitude=TASK_POINT[0],
        longitude=TASK_POINT[1],
    )
    return {"incident": incident, "need": need, "filing": filing, "task": task}


def _blurred(obj):
    return tuple(float(v) for v in geo.blur(obj.latitude, obj.longitude, key=geo.blur_key(obj)))


def _exact(obj):
    return float(obj.latitude), float(obj.longitude)


def _map_on_page(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(
        r'<script id="incident-map-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, "no map data on the page"
    return json.loads(found.group(1))


def _points(data, kind) -> list[tuple[float, float]]:
    return [(p["lat"], p["lon"]) for p in data[kind]]


def test_the_public_sees_every_point_blurred_on_the_incident_page(client, world):
    data = _map_on_page(client, f"/incidents/{world['incident'].pk}/")
    assert _points(data, "needs") == [_blurred(world["need"])]
    assert _points(data, "filings") == [_blurred(world["filing"])]
    assert _points(data, "tasks") == [_blurred(world["task"])]
    assert not any(p["exact"] for kind in ("needs", "filings", "tasks") for p in data[kind])
    # a filing is private: the public learns a team of 10 is near there, not whose
    assert data["filings"][0]["title"] == "在场队伍"
    assert world["filing"].organization.name not in json.dumps(data, ensure_ascii=False)
    # the incident's own point is public
    assert _points(data, "incidents") == [(30.284, 102.956)]
    assert data["incidents"][0]["exact"] is True
    for kind in ("needs", "filings", "tasks"):
        assert _exact(world[kind[:-1] if kind != "needs" else "need"]) not in _points(data, kind)


def test_an_official_of_the_area_sees_every_point_exact(client, official, world):
    client.force_login(official)
    data = _map_on_page(client, f"/incidents/{world['incident'].pk}/")
    assert _points(data, "needs") == [_exact(world["need"])]
    assert _points(data, "filings") == [_exact(world["filing"])]
    assert _points(data, "tasks") == [_exact(world["task"])]
    assert all(p["exact"] for kind in ("needs", "filings", "tasks") for p in data[kind])
    assert data["filings"][0]["title"] == world["filing"].organization.name


def test_an_official_elsewhere_sees_them_blurred(client, outside_official, world):
    client.force_login(outside_official)
    data = _map_on_page(client, f"/incidents/{world['incident'].pk}/")
    assert _points(data, "needs") == [_blurred(world["need"])]
    assert _points(data, "tasks") == [_blurred(world["task"])]


def test_an_organization_sees_its_own_points_exact_and_the_others_blurred(
    client, ngo_member, other_ngo_admin, world
):
    client.force_login(ngo_member)  # posted the need; neither files nor holds the task
    data = _map_on_page(client, f"/incidents/{world['incident'].pk}/")
    assert _points(data, "needs") == [_exact(world["need"])]
    assert _points(data, "filings") == [_blurred(world["filing"])]
    assert _points(data, "tasks") == [_blurred(world["task"])]

    client.force_login(other_ngo_admin)  # filed and holds the task
    data = _map_on_page(client, f"/incidents/{world['incident'].pk}/")
    assert _points(data, "needs") == [_blurred(world["need"])]
    assert _points(data, "filings") == [_exact(world["filing"])]
    assert _points(data, "tasks") == [_exact(world["task"])]


def test_the_public_api_gives_blurred_points_and_says_so(api, world):
    incident = world["incident"]
    need = api().get(f"/api/v1/incidents/{incident.pk}/needs/").json()["results"][0]
    assert (float(need["latitude"]), float(need["longitude"])) == _blurred(world["need"])
    assert need["location_exact"] is False
    need = api().get(f"/api/v1/needs/{world['need'].pk}/").json()
    assert (float(need["latitude"]), float(need["longitude"])) == _blurred(world["need"])
    task = api().get(f"/api/v1/tasks/{world['task'].pk}/").json()
    assert (float(task["latitude"]), float(task["longitude"])) == _blurred(world["task"])
    assert task["location_exact"] is False
    rows = api().get(f"/api/v1/tasks/?incident={incident.pk}").json()["results"]
    assert [(float(r["latitude"]), float(r["longitude"])) for r in rows] == [
        _blurred(world["task"])
    ]


def test_the_api_gives_exact_points_to_the_official_and_the_organizations_involved(
    api, official, ngo_member, other_ngo_admin, world
):
    incident = world["incident"]
    for user in (official, ngo_member):
        need = api(user).get(f"/api/v1/incidents/{incident.pk}/needs/").json()["results"][0]
        assert need["latitude"] == "30.300000" and need["longitude"] == "102.970000"
        assert need["location_exact"] is True
    task = api(ngo_member).get(f"/api/v1/tasks/{world['task'].pk}/").json()
    assert task["location_exact"] is False
    for user in (official, other_ngo_admin):
        task = api(user).get(f"/api/v1/tasks/{world['task'].pk}/").json()
        assert (task["latitude"], task["longitude"], task["location_exact"]) == (
            "30.270000",
            "102.990000",
            True,
        )
        filing = api(user).get(f"/api/v1/deployments/{world['filing'].pk}/").json()
        assert (filing["latitude"], filing["longitude"], filing["location_exact"]) == (
            "30.250000",
            "102.930000",
            True,
        )


def test_points_posted_through_the_api_are_stored_exact_and_checked(api, official, incident):
    url = f"/api/v1/incidents/{incident.pk}/needs/"
    body = {
        "category": "medical",
        "description": "药品",
        "quantity": 10,
        "unit": "箱",
        "region_code": "511826",
    }
    created = api(official).post(url, {**body, "latitude": "30.31", "longitude": "102.95"})
    assert created.status_code == 201, created.json()
    assert created.json()["location_exact"] is True
    assert Need.objects.get(pk=created.json()["id"]).latitude == Decimal("30.310000")

    half = api(official).post(url, {**body, "latitude": "30.31"})
    assert half.status_code == 400 and "longitude" in half.json()
    swapped = api(official).post(url, {**body, "latitude": "102.95", "longitude": "30.31"})
    assert swapped.status_code == 400 and "latitude" in swapped.json()
    assert Need.objects.count() == 1


def test_a_task_and_a_filing_take_a_point_through_the_api(api, official, incident, ngo, ngo_admin):
    task = api(official).post(
        "/api/v1/tasks/",
        {
            "incident": incident.pk,
            "title": "搜救",
            "region_code": "511826",
            "latitude": "30.2",
            "longitude": "103.0",
        },
    )
    assert task.status_code == 201, task.json()
    assert Task.objects.get(pk=task.json()["id"]).longitude == Decimal("103.000000")
    filing = api(ngo_admin).post(
        "/api/v1/deployments/",
        {
            "incident": incident.pk,
            "headcount": 8,
            "area_region_code": "511826",
            "arrival_at": timezone.now().isoformat(),
            "leader_name": "王五",
            "leader_phone": "13900000001",
            "latitude": "30.2",
            "longitude": "73.0001",
        },
        format="json",
    )
    assert filing.status_code == 201, filing.json()
    assert filing.json()["location_exact"] is True
    assert Deployment.objects.get(pk=filing.json()["id"]).latitude == Decimal("30.200000")


def test_the_need_form_takes_a_point_and_refuses_half_of_one(client, official, incident):
    client.force_login(official)
    url = f"/incidents/{incident.pk}/needs/new/"
    form = client.get(url).content.decode()
    assert "data-point-picker" in form and 'name="latitude"' in form and 'name="longitude"' in form
    assert "使用我的位置" in form
    # without JavaScript the map stays hidden and the two inputs are typed
    assert re.search(r'<div class="point-picker" data-point-picker[^>]* hidden>', form)
    body = {
        "category": "shelter",
        "description": "帐篷",
        "quantity": "20",
        "unit": "顶",
        "region_code": "511826",
        "urgency": "high",
    }
    refused = client.post(url, {**body, "latitude": "30.3", "longitude": ""})
    assert refused.status_code == 200
    assert "填写纬度时请同时填写经度" in refused.content.decode()
    # full-width digits from a Chinese input method are read as digits
    done = client.post(url, {**body, "latitude": "３０.３", "longitude": "102.97"})
    assert done.status_code == 302
    assert Need.objects.get().latitude == Decimal("30.300000")


@pytest.mark.parametrize("path", ["/incidents/new/", "tasks/new/", "deployments/new/"])
def test_every_form_with_a_point_has_the_picker(client, official, ngo_admin, incident, path):
    client.force_login(ngo_admin if path == "deployments/new/" else official)
    url = path if path.startswith("/") else f"/incidents/{incident.pk}/{path}"
    page = client.get(url).content.decode()
    assert "data-point-picker" in page and "js/tz-map.js" in page
    assert 'name="latitude"' in page


def test_the_choropleth_counts_open_needs_per_area_with_their_gaps(client, official, incident):
    NeedFactory(incident=incident, quantity=100, unit="顶")  # 芦山县, fully open
    covered = NeedFactory(incident=incident, quantity=10, unit="箱", category="medical")
    TaskFactory(incident=incident, need=covered, quantity_committed=10)  # no gap left
    NeedFactory(incident=incident, region_code="511823", quantity=5, unit="人", category="medical")
    NeedFactory(incident=incident, region_code="511823", quantity=7, unit="人", category="medical")
    DeploymentFactory(incident=incident, headcount=12)
    DeploymentFactory(incident=incident, headcount=40, status="filed")  # not yet on site
    client.force_login(official)
    data = _map_on_page(client, f"/incidents/{incident.pk}/")
    assert data["areas"]["511826"] == {
        "name": "四川省 雅安市 芦山县",
        "open": 1,
        "gaps": ["安置 100 顶"],
        "people": 12,
    }
    assert data["areas"]["511823"]["open"] == 2
    assert data["areas"]["511823"]["gaps"] == ["医疗 12 人"]
    assert data["provinces"] == ["51"]
    assert data["legend"]["title"] == "各地区有缺口的需求数"
    assert [c["label"] for c in data["legend"]["classes"]] == ["1", "2–3", "4–6", "7 个及以上"]


def test_unconfirmed_needs_stay_off_the_public_map(client, official, incident, ngo):
    NeedFactory(
        incident=incident,
        confirmed_at=None,
        posted_by_organization=ngo,
        latitude=30.3,
        longitude=102.9,
    )
    assert _map_on_page(client, f"/incidents/{incident.pk}/")["needs"] == []
    client.force_login(official)
    assert len(_map_on_page(client, f"/incidents/{incident.pk}/")["needs"]) == 1


def test_the_list_maps_active_incidents_with_the_choropleth_of_confirmed_needs(client, agency):
    active = IncidentFactory(lead_agency=agency)
    IncidentFactory(
        lead_agency=agency, region_code="441881", latitude="24.186", longitude="113.415"
    )
    IncidentFactory(lead_agency=agency, status="closed")
    IncidentFactory(lead_agency=agency, latitude=None, longitude=None)  # no point: not drawn
    NeedFactory(incident=active)
    NeedFactory(incident=active, confirmed_at=None)
    data = _map_on_page(client, "/incidents/")
    assert len(data["incidents"]) == 2
    assert data["provinces"] == ["44", "51"]
    assert data["areas"]["511826"]["open"] == 1
    assert data["needs"] == data["tasks"] == data["filings"] == []


def test_the_chart_compares_requested_committed_reached_and_gap_per_type_and_unit(client, incident):
    need = NeedFactory(incident=incident, quantity=100, unit="顶")
    TaskFactory(incident=incident, need=need, quantity_committed=40)
    NeedFactory(incident=incident, quantity=20, unit="箱", category="medical")
    NeedFactory(incident=incident, quantity=30, unit="箱", category="medical")
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    option = json.loads(
        re.search(
            r'<script id="needs-chart-option" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    assert option["yAxis"]["data"] == ["医疗（箱）", "安置（顶）"]
    series = {s["name"]: s["data"] for s in option["series"]}
    assert series == {
        "需求量": [50, 100],
        "已承诺": [0, 40],
        "已送达": [0, 0],
        "缺口": [50, 60],
    }
    assert 'data-chart="needs-chart-option"' in page and "vendor/echarts/echarts.min.js" in page


def test_without_needs_the_chart_says_so(client, incident):
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'id="needs-chart-option"' not in page
    assert "暂无需求。" in page


def test_the_map_and_chart_sections_read_like_the_product(client, official, world):
    client.force_login(official)
    for url in (f"/incidents/{world['incident'].pk}/", "/incidents/"):
        html = client.get(url).content.decode()
        sections = re.findall(
            r'<section class="panel[^"]*" data-testid="(?:incident-map|needs-chart)">.*?</section>',
            html,
            re.S,
        )
        assert len(sections) == 2
        assert_readable_html("<body>" + "".join(sections))


def test_the_map_data_costs_the_same_for_5_and_60_rows(
    official, incident, django_assert_num_queries
):
    permissions.memberships(official)  # read once per request, before the map
    org = OrganizationFactory()
    for count in (5, 60):
        while Need.objects.count() < count:
            need = NeedFactory(incident=incident, latitude=30.3, longitude=102.9)
            TaskFactory(
                incident=incident,
                need=need,
                organization=org,
                status="in_progress",
                latitude=30.2,
                longitude=103.0,
            )
            DeploymentFactory(
                incident=incident,
                organization=OrganizationFactory(),
                latitude=30.1,
                longitude=102.8,
            )
        with django_assert_num_queries(4):  # needs, filings, tasks; liaison's confirmed reports
            data = maps.incident_map(official, incident)
        assert len(data["needs"]) == len(data["tasks"]) == len(data["filings"]) == count
        with django_assert_num_queries(2):  # active incidents, their needs
            maps.incidents_map(official)


@pytest.mark.parametrize("url", ["/incidents/", "/incidents/{pk}/"])
def test_the_pages_with_a_map_cost_the_same_for_5_and_60_rows(client, official, incident, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(official)
    org = OrganizationFactory()
    client.get(url.format(pk=incident.pk))  # warm the per-process caches (regions, types)
    counts = []
    for count in (5, 60):
        while Need.objects.count() < count:
            need = NeedFactory(incident=incident, latitude=30.3, longitude=102.9)
            TaskFactory(
                incident=incident,
                need=need,
                organization=org,
                status="in_progress",
                latitude=30.2,
                longitude=103.0,
            )
            DeploymentFactory(
                incident=incident,
                organization=OrganizationFactory(),
                latitude=30.1,
                longitude=102.8,
            )
            IncidentFactory(lead_agency=incident.lead_agency)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url.format(pk=incident.pk)).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_map_and_the_chart_speak_english_when_asked(client, incident):
    NeedFactory(incident=incident, quantity=100, unit="tents")
    data = _map_on_page(client, f"/incidents/{incident.pk}/?lang=en")
    assert data["legend"]["title"] == "Needs with a gap, by area"
    assert data["labels"]["blurred"] == "Approximate location (within about 2 km)"
    assert data["config"]["labels"]["locate"] == "Use my location"
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Shelter (tents)" in page and "Needs and their gaps by type" in page


def test_an_incident_with_a_swapped_or_half_point_is_refused(api, official):
    body = {
        "title": "芦山地震",
        "kind": "natural_disaster",
        "subtype": "earthquake",
        "grade": 2,
        "region_code": "511826",
        "started_at": timezone.now().isoformat(),
    }
    swapped = api(official).post(
        "/api/v1/incidents/", {**body, "latitude": "102.956", "longitude": "30.284"}, format="json"
    )
    assert swapped.status_code == 400 and "latitude" in swapped.json()
    half = api(official).post("/api/v1/incidents/", {**body, "longitude": "102.956"}, format="json")
    assert half.status_code == 400 and "latitude" in half.json()
