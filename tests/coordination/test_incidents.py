"""Incidents: who may open them, grades, the status machine, escalation, mobilization."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert
from coordination import services
from coordination.models import Incident, suggest_accident_grade
from coordination.services.alerting import mobilization_regions
from core.models import AuditEvent
from tests.coordination.factories import IncidentFactory

pytestmark = pytest.mark.django_db

NEW = {
    "title": "芦山6.1级地震",
    "kind": "natural_disaster",
    "subtype": "earthquake",
    "grade": 2,
    "region_code": "511826",
    "latitude": "30.284000",
    "longitude": "102.956000",
    "started_at": "2026-11-23T08:00:00+08:00",
    "description": "震中芦山县龙门乡",
}


def test_an_official_opens_an_incident_in_the_jurisdiction(api, official, agency):
    response = api(official).post("/api/v1/incidents/", NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "monitoring"
    assert body["lead_agency"] == agency.pk
    assert AuditEvent.objects.filter(action="incident.created", region_code="511826").exists()


def test_the_opening_alert_mobilizes_the_province_for_grade_two(api, official):
    api(official).post("/api/v1/incidents/", NEW, format="json")
    alert = Alert.objects.get()
    assert alert.audience["regions"] == ["510000"]
    assert alert.audience["verified_only"] is True
    assert "building_collapse" in alert.audience["specialties"]
    assert alert.incident_ref["region_code"] == "511826"


@pytest.mark.parametrize(
    ("grade", "expected"),
    [(2, ["510000"]), (3, ["511800"]), (4, ["511826"])],
)
def test_graded_mobilization_narrows_with_the_grade(grade, expected):
    assert mobilization_regions(Incident(grade=grade, region_code="511826")) == expected


def test_grade_one_mobilizes_the_province_and_its_neighbours(settings):
    settings.TONGZHOU_NEIGHBOURING_PROVINCES = {"510000": ["500000", "620000"]}
    regions = mobilization_regions(Incident(grade=1, region_code="511826"))
    assert regions == ["510000", "500000", "620000"]


def test_an_official_outside_the_jurisdiction_may_not_open_it(api, outside_official):
    response = api(outside_official).post("/api/v1/incidents/", NEW, format="json")
    assert response.status_code == 403
    assert not Incident.objects.exists()


@pytest.mark.parametrize("persona", ["ngo_admin", "anonymous"])
def test_organizations_and_the_public_may_not_open_incidents(api, request, persona):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    response = api(user).post("/api/v1/incidents/", NEW, format="json")
    assert response.status_code in (401, 403)


def test_bad_input_gets_field_errors_not_a_500(api, official):
    response = api(official).post(
        "/api/v1/incidents/",
        {**NEW, "region_code": "999999", "kind": "natural_disaster"},
        format="json",
    )
    assert response.status_code == 400
    assert "region_code" in response.json()
    response = api(official).post("/api/v1/incidents/", {**NEW, "subtype": "meteor"}, format="json")
    assert response.status_code == 400 and "subtype" in response.json()
    response = api(official).post("/api/v1/incidents/", {**NEW, "grade": 9}, format="json")
    assert response.status_code == 400 and "grade" in response.json()


def test_a_social_security_event_may_be_ungraded_but_a_disaster_may_not(api, official):
    ungraded = {**NEW, "kind": "social_security", "subtype": "", "grade": None}
    assert api(official).post("/api/v1/incidents/", ungraded, format="json").status_code == 201
    response = api(official).post("/api/v1/incidents/", {**NEW, "grade": None}, format="json")
    assert response.status_code == 400 and "grade" in response.json()


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade"),
    [
        (30, 0, 0, 1),
        (0, 100, 0, 1),
        (0, 0, 100_000_000, 1),
        (10, 0, 0, 2),
        (0, 50, 0, 2),
        (0, 0, 50_000_000, 2),
        (3, 0, 0, 3),
        (0, 10, 0, 3),
        (0, 0, 10_000_000, 3),
        (2, 9, 9_999_999, 4),
    ],
)
def test_the_accident_grade_follows_the_casualties(deaths, injuries, loss, grade):
    assert (
        suggest_accident_grade(deaths=deaths, serious_injuries=injuries, direct_loss=loss) == grade
    )


def test_an_accident_without_a_grade_takes_the_suggested_one(api, official):
    accident = {**NEW, "kind": "accident", "subtype": "", "grade": None, "deaths": 12}
    response = api(official).post("/api/v1/incidents/", accident, format="json")
    assert response.status_code == 201
    assert response.json()["grade"] == 2
    assert response.json()["suggested_grade"] == 2


def _status(api, user, incident, **data):
    return api(user).post(f"/api/v1/incidents/{incident.pk}/status/", data, format="json")


START = {
    "status": "responding",
    "response_level": 2,
    "expected_duration_hours": 72,
    "measures": "启动二级响应，开放安置点",
}


def test_starting_a_response_records_level_duration_and_measures(api, official, agency):
    incident = IncidentFactory(status="monitoring", lead_agency=agency)
    response = _status(api, official, incident, **START)
    assert response.status_code == 200, response.json()
    incident.refresh_from_db()
    assert incident.status == "responding"
    assert (incident.response_level, incident.expected_duration_hours) == (2, 72)
    assert incident.response_started_at is not None
    assert Alert.objects.filter(audience__regions=["510000"]).exists()


def test_starting_a_response_without_its_measures_is_refused(api, official, agency):
    incident = IncidentFactory(status="monitoring", lead_agency=agency)
    response = _status(api, official, incident, status="responding")
    assert response.status_code == 400
    assert {"response_level", "expected_duration_hours", "measures"} <= set(response.json())
    incident.refresh_from_db()
    assert incident.status == "monitoring"


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("monitoring", "closed"),
        ("responding", "recovery"),
        ("responding", "closed"),
        ("recovery", "closed"),
        ("recovery", "responding"),
    ],
)
def test_legal_incident_transitions(api, official, agency, start, target):
    incident = IncidentFactory(status=start, lead_agency=agency)
    data = START if target == "responding" else {"status": target}
    response = _status(api, official, incident, **data)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == target
    event = AuditEvent.objects.get(action="incident.status")
    assert (event.from_status, event.to_status) == (start, target)


@pytest.mark.parametrize(
    ("start", "target"),
    [("monitoring", "recovery"), ("monitoring", "monitoring"), ("recovery", "monitoring")],
)
def test_illegal_incident_transitions_are_409(api, official, agency, start, target):
    incident = IncidentFactory(status=start, lead_agency=agency)
    response = _status(api, official, incident, status=target)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "cannot go from" in response.json()["detail"] or response.json()["detail"]


def test_closing_stamps_the_time_and_reopening_needs_a_reason(api, official, agency):
    incident = IncidentFactory(status="recovery", lead_agency=agency)
    assert _status(api, official, incident, status="closed").status_code == 200
    incident.refresh_from_db()
    assert incident.closed_at is not None
    response = _status(api, official, incident, status="recovery")
    assert response.status_code == 400 and "reason" in response.json()
    response = _status(api, official, incident, status="recovery", reason="余震导致新的灾情")
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.closed_at is None


def test_status_changes_need_jurisdiction(api, outside_official, ngo_admin, incident):
    assert _status(api, outside_official, incident, status="recovery").status_code == 403
    assert _status(api, ngo_admin, incident, status="recovery").status_code == 403
    assert _status(api, None, incident, status="recovery").status_code in (401, 403)


def test_a_provincial_official_takes_over_and_it_is_audited(api, province_official, incident):
    response = api(province_official).post(
        f"/api/v1/incidents/{incident.pk}/take-over/", {"reason": "升级为省级响应"}, format="json"
    )
    assert response.status_code == 200, response.json()
    incident.refresh_from_db()
    assert incident.lead_agency.region_code == "510000"
    event = AuditEvent.objects.get(action="incident.taken_over")
    assert event.reason == "升级为省级响应"


def test_an_official_of_the_same_level_may_not_take_over(api, second_official, incident):
    response = api(second_official).post(f"/api/v1/incidents/{incident.pk}/take-over/", {})
    assert response.status_code == 403


def test_the_public_reads_incidents_active_first(api, agency):
    closed = IncidentFactory(status="closed", lead_agency=agency, started_at=timezone.now())
    active = IncidentFactory(
        status="responding", lead_agency=agency, started_at=timezone.now() - timedelta(days=9)
    )
    results = api().get("/api/v1/incidents/").json()["results"]
    assert [r["id"] for r in results] == [active.pk, closed.pk]
    filtered = api().get("/api/v1/incidents/?status=closed&region=511800").json()["results"]
    assert [r["id"] for r in filtered] == [closed.pk]


def test_incident_list_api_costs_the_same_for_5_and_100(api, agency, django_assert_max_num_queries):
    for count in (5, 100):
        IncidentFactory.create_batch(count - Incident.objects.count(), lead_agency=agency)
        with django_assert_max_num_queries(3):
            response = api().get("/api/v1/incidents/?page_size=200")
        assert response.json()["count"] == count


def test_services_create_incident_directly_for_a_county_grade_four(official, agency):
    incident = services.create_incident(
        by=official,
        title="宝兴县洪涝",
        kind="natural_disaster",
        subtype="flood",
        grade=4,
        region_code="511827",
        started_at=timezone.now(),
    )
    assert Alert.objects.get().audience["regions"] == ["511827"]
    assert incident.lead_agency == agency


def test_capacity_is_set_by_officials_with_jurisdiction_only(
    api, official, outside_official, ngo_admin, incident
):
    url = f"/api/v1/incidents/{incident.pk}/capacity/"
    data = {"area_region_code": "511826", "max_teams": 3, "max_people": 80}
    assert api(ngo_admin).post(url, data).status_code == 403
    assert api(outside_official).post(url, data).status_code == 403
    response = api(official).post(url, data)
    assert response.status_code == 200
    assert response.json()["area_capacity"] == {"511826": {"max_teams": 3, "max_people": 80}}
    outside = api(official).post(url, {**data, "area_region_code": "511802"})
    assert outside.status_code == 400 and "area_region_code" in outside.json()
    assert AuditEvent.objects.filter(action="incident.capacity").count() == 1


def test_a_reopened_incident_is_not_purged(official, agency):
    incident = IncidentFactory(status="recovery", lead_agency=agency)
    services.change_status(incident=incident, by=official, status="closed")
    services.change_status(incident=incident, by=official, status="recovery", reason="余震")
    incident.refresh_from_db()
    assert incident.closed_at is None
    assert services.purge_due_personal_data(now=timezone.now() + timedelta(days=365)) == 0


def test_an_official_changes_status_through_the_page(client, official, agency):
    incident = IncidentFactory(status="monitoring", lead_agency=agency)
    client.force_login(official)
    response = client.post(
        f"/incidents/{incident.pk}/status/",
        {
            "status": "responding",
            "response_level": "3",
            "expected_duration_hours": "48",
            "measures": "启动三级响应",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.response_level) == ("responding", 3)
    client.post(f"/incidents/{incident.pk}/take-over/", {"reason": "x"})
    assert AuditEvent.objects.filter(action="incident.taken_over").count() == 0


def test_an_official_alert_naming_an_incident_carries_its_place_into_cap(api, official):
    from alerts.models import Alert
    from tests.coordination.factories import IncidentFactory

    incident = IncidentFactory(title="芦山地震演练")
    response = api(official).post(
        "/api/v1/alerts/",
        {
            "title": "余震预警",
            "body": "请远离危房。",
            "level": "orange",
            "incident": incident.pk,
            "audience": {"regions": ["511826"]},
            "channels": ["in_app"],
            "public": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(title="余震预警")
    assert alert.incident_ref["region_code"] == "511826"
    assert alert.incident_ref["title"] == "芦山地震演练"
