"""CAP 1.2 documents and the Atom feed: every document produced validates against the OASIS
XSD; severity from the colour; area from the region and the incident point."""

import pytest
from lxml import etree

from alerts import cap
from tests.alerts.factories import AlertFactory

pytestmark = pytest.mark.django_db
NS = {"cap": cap.CAP_NS, "atom": cap.ATOM_NS}

INCIDENT = {
    "id": 7,
    "title": "芦山6.1级地震",
    "kind": "natural_disaster",
    "subtype": "earthquake",
    "grade": 2,
    "region_code": "511826",
    "latitude": "30.284000",
    "longitude": "102.956000",
}


def _fetch(client, alert, cap_schema):
    response = client.get(f"/alerts/{alert.pk}/cap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/cap+xml")
    document = etree.fromstring(response.content)
    cap_schema.assertValid(document)
    return document


@pytest.mark.parametrize(
    "level, severity",
    [("red", "Extreme"), ("orange", "Severe"), ("yellow", "Moderate"), ("blue", "Minor")],
)
def test_severity_follows_the_colour(client, cap_schema, level, severity):
    doc = _fetch(client, AlertFactory(level=level), cap_schema)
    assert doc.findtext("cap:info/cap:severity", namespaces=NS) == severity


def test_a_public_earthquake_alert_is_a_valid_cap_document_with_area_and_circle(
    client, cap_schema, settings
):
    alert = AlertFactory(incident_ref=INCIDENT, title_en="Lushan earthquake", body_en="Take cover.")
    doc = _fetch(client, alert, cap_schema)
    assert doc.findtext("cap:identifier", namespaces=NS) == alert.cap_identifier
    assert doc.findtext("cap:sender", namespaces=NS) == settings.TONGZHOU_PLATFORM_ID
    assert doc.findtext("cap:sent", namespaces=NS).endswith("+08:00")
    assert doc.findtext("cap:scope", namespaces=NS) == "Public"
    infos = doc.findall("cap:info", namespaces=NS)
    assert [i.findtext("cap:language", namespaces=NS) for i in infos] == ["zh-CN", "en"]
    assert infos[0].findtext("cap:category", namespaces=NS) == "Geo"
    assert infos[0].findtext("cap:urgency", namespaces=NS) == "Immediate"
    area = infos[0].find("cap:area", namespaces=NS)
    assert area.findtext("cap:areaDesc", namespaces=NS) == "芦山县"
    assert area.findtext("cap:circle", namespaces=NS) == "30.284000,102.956000 80"
    assert area.findtext("cap:geocode/cap:value", namespaces=NS) == "511826"


def test_an_update_and_a_cancellation_reference_the_first_alert(client, cap_schema):
    first = AlertFactory()
    update = AlertFactory(msg_type="Update", references=first)
    cancel = AlertFactory(msg_type="Cancel", references=first, level="blue")
    for alert in (update, cancel):
        doc = _fetch(client, alert, cap_schema)
        assert first.cap_identifier in doc.findtext("cap:references", namespaces=NS)
    doc = _fetch(client, cancel, cap_schema)
    assert doc.findtext("cap:info/cap:responseType", namespaces=NS) == "AllClear"


def test_an_alert_without_region_or_incident_is_still_valid(client, cap_schema):
    _fetch(client, AlertFactory(region_code="", incident_ref=None, body=""), cap_schema)


def test_a_private_alert_has_no_cap_document(client):
    assert client.get(f"/alerts/{AlertFactory(public=False).pk}/cap.xml").status_code == 404


def test_the_atom_feed_lists_public_alerts_linking_their_cap_documents(client, cap_schema):
    public = AlertFactory()
    private = AlertFactory(public=False)
    response = client.get("/alerts/feed.atom")
    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    links = feed.xpath("//atom:entry/atom:link[@type='application/cap+xml']/@href", namespaces=NS)
    assert [link.rsplit("/alerts/", 1)[1] for link in links] == [f"{public.pk}/cap.xml"]
    assert str(private.pk) + "/cap.xml" not in response.content.decode()
    for link in links:
        path = "/alerts/" + link.rsplit("/alerts/", 1)[1]
        cap_schema.assertValid(etree.fromstring(client.get(path).content))


def test_feed_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(5):
        AlertFactory()
    with django_assert_max_num_queries(4):
        client.get("/alerts/feed.atom")
    for _ in range(95):
        AlertFactory()
    with django_assert_max_num_queries(4):
        client.get("/alerts/feed.atom")
