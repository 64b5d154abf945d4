"""Issue 17: an alert sent to "511826 511827" keeps both regions: the alert page, the API, the
CAP <area> (one <geocode> per region, XSD-valid) and the Atom feed all name 芦山县 and 宝兴县."""

import pytest
from lxml import etree

from alerts import cap
from alerts.models import Alert
from alerts.services import can_see_deliveries
from tests.alerts.factories import AlertFactory
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db
NS = {"cap": cap.CAP_NS, "atom": cap.ATOM_NS}
FORM = {
    "title": "芦山县、宝兴县山洪预警",
    "body": "请立即转移到安全地带。",
    "title_en": "Flash flood warning",
    "body_en": "Move to safety now.",
    "level": "red",
    "channels": ["in_app"],
    "public": "on",
}


def _issue_on_the_page(client, official):
    client.force_login(official)
    response = client.post("/alerts/new/", {**FORM, "regions": "511826 511827", "basis": "both"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Alert.objects.get()


def test_the_page_keeps_every_region_and_shows_them_by_name(client, official, ngo_admin):
    alert = _issue_on_the_page(client, official)
    assert alert.regions == ["511826", "511827"] and alert.region_code == "511826"
    page = client.get(f"/alerts/{alert.pk}/")
    html = page.content.decode()
    assert_readable_html(page.content)
    assert "芦山县" in html and "宝兴县" in html
    listing = client.get("/alerts/").content.decode()
    assert "芦山县" in listing and "宝兴县" in listing


def test_cap_has_one_geocode_per_region_and_names_them_all(client, official, cap_schema):
    alert = _issue_on_the_page(client, official)
    doc = etree.fromstring(client.get(f"/alerts/{alert.pk}/cap.xml").content)
    cap_schema.assertValid(doc)
    for info in doc.findall("cap:info", NS):
        areas = info.findall("cap:area", NS)
        assert len(areas) == 1
        codes = areas[0].findall("cap:geocode/cap:value", NS)
        assert [c.text for c in codes] == ["511826", "511827"]
    zh = doc.find("cap:info[cap:language='zh-CN']/cap:area/cap:areaDesc", NS).text
    en = doc.find("cap:info[cap:language='en']/cap:area/cap:areaDesc", NS).text
    assert "芦山县" in zh and "宝兴县" in zh
    assert "511826" in en and "511827" in en


def test_the_atom_feed_carries_every_region(client, official):
    alert = _issue_on_the_page(client, official)
    feed = etree.fromstring(client.get("/alerts/feed.atom").content)
    entry = feed.find("atom:entry", NS)
    terms = [c.get("term") for c in entry.findall("atom:category", NS)]
    assert terms == [alert.level, "511826", "511827"]
    labels = " ".join(c.get("label") for c in entry.findall("atom:category", NS))
    assert "芦山县" in labels and "宝兴县" in labels


def test_the_api_lists_all_regions_and_keeps_region_code(api, official, anon_client):
    body = {
        "title": "山洪预警",
        "level": "orange",
        "audience": {"regions": ["511826", "511827"]},
        "channels": ["in_app"],
        "public": True,
    }
    created = api(official).post("/api/v1/alerts/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["regions"] == ["511826", "511827"]
    detail = anon_client.get(f"/api/v1/alerts/{created.json()['id']}/").json()
    assert detail["regions"] == ["511826", "511827"] and detail["region_code"] == "511826"
    listed = anon_client.get("/api/v1/alerts/").json()["results"][0]
    assert listed["regions"] == ["511826", "511827"]


def test_an_older_alert_with_one_region_still_shows_it(client, cap_schema):
    alert = AlertFactory(region_code="511826", regions=[])
    doc = etree.fromstring(client.get(f"/alerts/{alert.pk}/cap.xml").content)
    cap_schema.assertValid(doc)
    assert [v.text for v in doc.findall(".//cap:geocode/cap:value", NS)] == ["511826"]


def test_an_official_of_either_region_sees_the_deliveries(client, official):
    """Delivery status is visible to officials whose jurisdiction covers any of the regions."""
    alert = _issue_on_the_page(client, official)
    baoxing = f.official("511827")
    elsewhere = f.official("511802")
    assert can_see_deliveries(baoxing, alert)
    assert not can_see_deliveries(elsewhere, alert)
