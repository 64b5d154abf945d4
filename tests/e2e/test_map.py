"""The incident map and the needs chart in a real browser, from the project's own files only.

A member of the public opens the incident list and an incident: the boundaries are drawn (SVG
paths), the needs-gap choropleth and the points are there, the chart is drawn, and no request
leaves the test server (a closed network). On a 390x844 phone nothing scrolls sideways. An
official places a need's point by clicking the picker map.
"""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from core import geo
from tests.coordination.factories import (
    DeploymentFactory,
    IncidentFactory,
    NeedFactory,
    TaskFactory,
)
from tests.readable import assert_no_horizontal_scroll, problems
from tests.registry.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAP_READY = "[data-testid=incident-map] .tz-map[data-map-ready='1']"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def incident_with_points(agency):
    incident = IncidentFactory(lead_agency=agency, title="芦山地震")
    need = NeedFactory(
        incident=incident, quantity=200, latitude=Decimal("30.30"), longitude=Decimal("102.97")
    )
    NeedFactory(incident=incident, category="medical", unit="箱", region_code="511823")
    DeploymentFactory(
        incident=incident,
        organization=OrganizationFactory(name="蓝天救援队"),
        latitude=Decimal("30.25"),
        longitude=Decimal("102.93"),
    )
    TaskFactory(
        incident=incident,
        need=need,
        quantity_committed=50,
        latitude=Decimal("30.27"),
        longitude=Decimal("102.99"),
    )
    return incident


def _record_requests(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def assert_map_and_chart_read_like_product(page) -> None:
    """The map's and the chart's sections show names, not codes or English (the rest of the
    incident page belongs to other partials and has its own checks)."""
    text = " ".join(
        page.inner_text(selector)
        for selector in ("[data-testid=incident-map]", "[data-testid=needs-chart]")
    )
    assert not problems(text), problems(text)


def _only_local(urls: list[str]) -> None:
    hosts = {urlsplit(url).hostname for url in urls if not url.startswith("data:")}
    assert hosts == {"localhost"} or hosts <= {"localhost", "127.0.0.1"}, hosts


def test_the_incident_page_draws_boundaries_points_and_the_chart_from_local_files(
    browser_page, incident_with_points, screenshot
):
    page = browser_page
    urls = _record_requests(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{page.base_url}/incidents/{incident_with_points.pk}/")
    page.wait_for_selector(MAP_READY)
    page.wait_for_selector("[data-chart='needs-chart-option'][data-chart-ready='1'] svg")

    assert page.locator("path.tz-province").count() >= 34
    assert page.locator("path.tz-maritime").count() == 1
    assert page.locator("path.tz-county").count() >= 183  # 四川省's counties, loaded on demand
    assert page.locator("path.tz-gap").count() == 2  # 芦山县 and 石棉县 have open needs
    assert page.locator("path.tz-incident").count() == 1
    assert page.locator("path.tz-need.tz-blurred").count() == 1
    assert page.locator("path.tz-filing.tz-blurred").count() == 1
    assert page.locator("path.tz-task.tz-blurred").count() == 1
    # the approved filing's 10 people, labelled in the middle of 芦山县
    assert page.locator("path.tz-area-people").count() == 1
    assert "在场 10 人" in page.inner_text(".tz-people-label")
    legend = page.inner_text(".tz-legend")
    assert "各地区有缺口的需求数" in legend and "7 个及以上" in legend
    chart = page.inner_text("[data-testid=needs-chart]")
    assert "帐篷" not in chart  # the chart names types, not descriptions
    assert "需求量" in chart and "缺口" in chart
    assert "安置（顶）" in chart and "医疗（箱）" in chart

    loaded = [urlsplit(u).path for u in urls]
    assert any(p.startswith("/static/geo/counties-51") for p in loaded)
    assert not any("/static/geo/counties-44" in p for p in loaded)  # only what it shows
    _only_local(urls)
    assert_map_and_chart_read_like_product(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "incident-map")


def test_the_incident_list_maps_every_active_incident(browser_page, agency, screenshot):
    IncidentFactory(lead_agency=agency, title="芦山地震")
    IncidentFactory(
        lead_agency=agency,
        title="英德洪涝",
        region_code="441881",
        latitude=Decimal("24.186"),
        longitude=Decimal("113.415"),
        subtype="flood",
    )
    IncidentFactory(lead_agency=agency, title="已结束的火灾", status="closed")
    page = browser_page
    urls = _record_requests(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{page.base_url}/incidents/")
    page.wait_for_selector(MAP_READY)
    assert page.locator("path.tz-incident").count() == 2  # the closed one is not mapped
    assert page.locator("path.tz-province").count() >= 34
    _only_local(urls)
    assert_map_and_chart_read_like_product(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "incident-list-map")


def test_the_browser_converts_datums_exactly_as_the_server(browser_page, agency):
    IncidentFactory(lead_agency=agency)
    page = browser_page
    page.goto(f"{page.base_url}/incidents/")
    page.wait_for_selector(MAP_READY)
    for lat, lon in [(30.284, 102.956), (39.9087, 116.3975), (22.3193, 114.1694)]:
        in_browser = page.evaluate(f"() => window.TZMap.wgs84ToGcj02({lat}, {lon})")
        assert in_browser == pytest.approx(list(geo.wgs84_to_gcj02(lat, lon)), abs=1e-9)
        back = page.evaluate(f"() => window.TZMap.gcj02ToWgs84({in_browser[0]}, {in_browser[1]})")
        assert back == pytest.approx([lat, lon], abs=1e-6)


def test_an_official_places_a_need_by_clicking_the_picker_map(
    browser_page, official, agency, screenshot
):
    incident = IncidentFactory(lead_agency=agency)
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"{page.base_url}/accounts/login/?next=/incidents/{incident.pk}/needs/new/")
    page.fill("input[name=username]", official.username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_selector(".point-picker .tz-map[data-map-ready='1']")
    assert page.is_visible("[data-locate]")
    page.locator(".point-picker .tz-map").click()  # its middle, scrolled into view
    page.wait_for_selector(".point-picker path.tz-picked")
    latitude = float(page.input_value("input[name=latitude]"))
    longitude = float(page.input_value("input[name=longitude]"))
    # The map opened on the incident's county (芦山县, about 30.0-30.6 N, 102.7-103.2 E).
    assert 29.8 < latitude < 30.8 and 102.5 < longitude < 103.4
    assert page.inner_text("[data-picker-status]") == "已标出位置，请核对经纬度。"

    # "Use my location": the phone's GPS position (WGS-84) is stored as it is.
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 30.123456, "longitude": 102.654321})
    page.click("[data-locate]")
    page.wait_for_function(
        "() => document.querySelector('input[name=latitude]').value === '30.123456'"
    )
    assert page.input_value("input[name=longitude]") == "102.654321"
    assert page.inner_text("[data-picker-status]") == "已在地图上标出您的位置。"

    # The map centred on that point, drawn in GCJ-02 (no tiles). A click there must give back
    # the same WGS-84 point (within a pixel, ~70 m at this zoom): without the conversion back
    # it would be the GCJ-02 position, ~280 m away here.
    page.locator(".point-picker .tz-map").click()
    page.wait_for_function(
        "() => document.querySelector('[data-picker-status]').textContent.startsWith('已标出位置')"
    )
    latitude = float(page.input_value("input[name=latitude]"))
    longitude = float(page.input_value("input[name=longitude]"))
    assert geo.distance_km((latitude, longitude), (30.123456, 102.654321)) < 0.15
    gcj = geo.wgs84_to_gcj02(30.123456, 102.654321)
    assert geo.distance_km((latitude, longitude), gcj) > 0.2
    page.fill("textarea[name=description]", "帐篷")
    page.fill("input[name=quantity]", "20")
    page.fill("input[name=unit]", "顶")
    assert_no_horizontal_scroll(page)
    screenshot(page, "need-point-picker")
    page.click("form.form [type=submit]")
    page.wait_for_selector("[data-testid=needs]")
    need = incident.needs.get()
    assert float(need.latitude) == pytest.approx(latitude, abs=1e-6)
    assert float(need.longitude) == pytest.approx(longitude, abs=1e-6)


def test_with_a_tile_server_the_tiles_come_under_the_same_boundaries(
    browser_page, agency, live_server, settings, screenshot
):
    """A city's own tile server (here: the test server itself) adds a tile layer; the
    boundaries and points are still drawn, shifted to the tiles' datum."""
    settings.TONGZHOU_MAP_TILES = live_server.url + "/static/favicon.svg?z={z}&x={x}&y={y}"
    settings.TONGZHOU_MAP_TILES_ATTRIBUTION = "本市地图服务"
    settings.TONGZHOU_MAP_TILES_DATUM = "wgs84"
    incident = IncidentFactory(lead_agency=agency)
    page = browser_page
    urls = _record_requests(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{page.base_url}/incidents/{incident.pk}/")
    page.wait_for_selector(MAP_READY)
    page.wait_for_selector("img.leaflet-tile")
    assert page.locator("path.tz-province").count() >= 34
    assert page.locator("path.tz-incident").count() == 1
    assert "本市地图服务" in page.inner_text(".leaflet-control-attribution")
    assert any("/static/favicon.svg?z=" in url for url in urls)
    _only_local(urls)
    assert_no_horizontal_scroll(page)
    screenshot(page, "incident-map-with-tiles")
