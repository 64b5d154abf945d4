"""The Done-when journey: an NGO finds the responsible unit for 物资调配 in 雅安 and sends a
request that is acknowledged, or escalates up the region tree when nobody acknowledges it in
time (the clock moved with time_machine)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Delivery
from core.audit import AuditEvent
from liaison.models import FieldReport
from liaison.services import escalate_overdue
from tests.liaison.factories import ResponsibilityFactory

pytestmark = pytest.mark.django_db


def _find_unit(api, user, region="511826", function="supply_allocation"):
    rows = api(user).get(f"/api/v1/responsibilities/?function={function}&region={region}").json()
    return rows


def _send(api, user, incident, **extra):
    body = {
        "incident": incident.pk,
        "category": "supplies",
        "urgency": "high",
        "description": "龙门乡安置点缺帐篷 40 顶",
        "people_count": 120,
        "region_code": "511826",
        "latitude": "30.300000",
        "longitude": "102.950000",
        **extra,
    }
    return api(user).post("/api/v1/field-reports/", body, format="json")


def test_an_ngo_finds_the_unit_and_its_request_is_acknowledged(
    api, ngo_admin, official, agency, incident
):
    ResponsibilityFactory(agency=agency, unit="雅安市应急局救灾和物资保障科")
    rows = _find_unit(api, ngo_admin)
    assert [(r["agency_name"], r["unit"]) for r in rows] == [
        ("雅安市应急管理局", "雅安市应急局救灾和物资保障科")
    ]
    assert rows[0]["duty_phone"] == "0835-2220000"

    response = _send(api, ngo_admin, incident)
    assert response.status_code == 201, response.json()
    sent = response.json()
    assert sent["routed_to"] == agency.pk and sent["unit"] == "雅安市应急局救灾和物资保障科"
    assert sent["function"] == "supply_allocation" and sent["status"] == "sent"
    assert Delivery.objects.filter(user=official, alert__link__contains=f"/{sent['id']}/").exists()

    # The sender may not acknowledge its own report; the bureau may.
    assert (
        api(ngo_admin).post(f"/api/v1/field-reports/{sent['id']}/acknowledge/").status_code == 403
    )
    done = api(official).post(f"/api/v1/field-reports/{sent['id']}/acknowledge/")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "acknowledged" and done.json()["ack_due_at"] is None
    # acknowledged reports never escalate
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert escalate_overdue() == 0


def test_an_unacknowledged_request_escalates_up_the_region_tree(
    api, ngo_admin, official, agency, county_agency, province_official, province_agency, incident
):
    # the county lists nothing for 物资调配; the city does; the province too
    ResponsibilityFactory(agency=agency, unit="市物资保障科")
    ResponsibilityFactory(agency=province_agency, unit="省救灾物资处")
    report = _send(api, ngo_admin, incident).json()
    assert report["routed_to"] == agency.pk  # nearest level that lists the function

    limit = dt.timedelta(minutes=120)  # high urgency (TONGZHOU_REPORT_ACK_MINUTES)
    start = timezone.now()
    with time_machine.travel(start + limit - dt.timedelta(minutes=1)):
        assert escalate_overdue() == 0
    with time_machine.travel(start + limit + dt.timedelta(minutes=1)):
        assert escalate_overdue() == 1
        assert escalate_overdue() == 0  # a second sweep does not move it again
    row = FieldReport.objects.get(pk=report["id"])
    assert row.routed_to == province_agency and row.unit == "省救灾物资处"
    assert row.escalations == 1 and row.status == "sent"
    assert AuditEvent.objects.filter(action="liaison.report.escalated").count() == 1
    assert Delivery.objects.filter(user=province_official, alert__link__contains=f"/{row.pk}/")

    # the city can no longer acknowledge it; the province can
    assert api(official).post(f"/api/v1/field-reports/{row.pk}/acknowledge/").status_code == 403
    ok = api(province_official).post(f"/api/v1/field-reports/{row.pk}/acknowledge/")
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"

    # at the province there is no level above: the next deadline is not set again
    with time_machine.travel(start + 10 * limit):
        assert escalate_overdue() == 0


def test_at_the_province_an_unanswered_report_stops_escalating(
    api, ngo_admin, province_official, province_agency, incident
):
    ResponsibilityFactory(agency=province_agency, unit="省救灾物资处")
    report = _send(api, ngo_admin, incident, urgency="critical").json()
    assert report["routed_to"] == province_agency.pk
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert escalate_overdue() == 0
    row = FieldReport.objects.get(pk=report["id"])
    assert row.routed_to == province_agency and row.ack_due_at is None
    assert AuditEvent.objects.filter(action="liaison.report.unanswered").count() == 1


def test_without_a_directory_row_the_nearest_agency_takes_it(
    api, ngo_admin, agency, county_agency, incident
):
    report = _send(api, ngo_admin, incident).json()
    assert report["routed_to"] == county_agency.pk and report["unit"] == ""
    assert (
        api(county_agency.official)
        .post(f"/api/v1/field-reports/{report['id']}/acknowledge/")
        .status_code
        == 200
    )


def test_illegal_transitions_are_409(api, ngo_admin, official, agency, incident):
    ResponsibilityFactory(agency=agency)
    report = _send(api, ngo_admin, incident).json()
    url = f"/api/v1/field-reports/{report['id']}"
    assert api(official).post(f"{url}/confirm/").status_code == 409  # not acknowledged yet
    assert api(official).post(f"{url}/acknowledge/").status_code == 200
    assert api(official).post(f"{url}/acknowledge/").status_code == 409
    assert api(official).post(f"{url}/dismiss/", {}, format="json").status_code == 400
    assert api(official).post(f"{url}/confirm/").status_code == 200
    assert (
        api(official).post(f"{url}/dismiss/", {"reason": "重复"}, format="json").status_code == 409
    )


def test_who_sees_and_who_sends(
    api, ngo_admin, other_ngo_admin, outside_official, official, agency, incident
):
    ResponsibilityFactory(agency=agency)
    report = _send(api, ngo_admin, incident).json()
    # another organization and an official elsewhere do not know it exists
    assert api(other_ngo_admin).get(f"/api/v1/field-reports/{report['id']}/").status_code == 404
    assert api(outside_official).get(f"/api/v1/field-reports/{report['id']}/").status_code == 404
    assert (
        api(outside_official).post(f"/api/v1/field-reports/{report['id']}/acknowledge/").status_code
        == 404
    )
    assert api().get("/api/v1/field-reports/").status_code == 403
    detail = api(official).get(f"/api/v1/field-reports/{report['id']}/").json()
    assert detail["actions"] == ["acknowledge", "dismiss"]
    assert api(ngo_admin).get(f"/api/v1/field-reports/{report['id']}/").json()["actions"] == []
    # an official does not send field reports for the agency
    assert _send(api, official, incident).status_code == 403


def test_bad_input_is_a_field_level_400(api, ngo_admin, incident):
    unknown = _send(api, ngo_admin, incident, region_code="999999")
    assert unknown.status_code == 400 and list(unknown.json()) == ["region_code"]
    swapped = _send(api, ngo_admin, incident, latitude="102.95", longitude="30.3")
    assert swapped.status_code == 400 and "latitude" in swapped.json()
    assert _send(api, ngo_admin, incident, category="weather").status_code == 400
    assert list(_send(api, ngo_admin, incident, colour="red").json()) == ["colour"]
    assert not FieldReport.objects.exists()


def test_confirmed_reports_show_on_the_incident_map(
    api, client, ngo_admin, official, agency, incident
):
    from django.contrib.auth.models import AnonymousUser

    from coordination.maps import incident_map

    ResponsibilityFactory(agency=agency)
    report = _send(api, ngo_admin, incident).json()
    assert incident_map(official, incident)["reports"] == []
    api(official).post(f"/api/v1/field-reports/{report['id']}/acknowledge/")
    api(official).post(f"/api/v1/field-reports/{report['id']}/confirm/")
    exact = incident_map(official, incident)
    assert exact["layers"] == ["reports"]
    [point] = exact["reports"]
    assert point["exact"] and point["lat"] == 30.3
    [public] = incident_map(AnonymousUser(), incident)["reports"]
    assert not public["exact"] and (public["lat"], public["lon"]) != (30.3, 102.95)
    assert ngo_admin.username not in str(public)
