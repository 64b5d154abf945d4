"""Issue 17: who an alert reaches. Organizations by where their approved filings put their
people (the team registered in 芦山 but approved for 宝兴), by kind (foundations, also reached by
mobilization), by specialty and grade; the preview lists per channel who will be reached and
who cannot be (no phone / no e-mail / no webhook) in a fixed number of queries."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alerts import services
from alerts.audience import resolve
from alerts.models import Alert, Delivery, Preference
from coordination.models import Deployment, Incident
from coordination.services import incidents as incident_services
from core.roles import Role
from tests.alerts.factories import WebhookFactory
from tests.coordination.factories import DeploymentFactory, IncidentFactory
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def lushan_team_in_baoxing(db):
    """A team registered in 芦山县 (511826) whose filing for 宝兴县 (511827) is approved."""
    team = f.OrganizationFactory(name="芦山蓝天救援队", region_code="511826")
    leader = f.org_user(team, Role.ADMIN)
    incident = IncidentFactory(region_code="511827")
    DeploymentFactory(incident=incident, organization=team, area_region_code="511827")
    return team, leader, incident


def test_filings_reach_the_team_approved_for_baoxing_and_registered_elsewhere(
    lushan_team_in_baoxing,
):
    team, leader, _incident = lushan_team_in_baoxing
    registered = resolve({"regions": ["511827"], "basis": "registered"})
    assert team.pk not in registered.organization_ids
    filings = resolve({"regions": ["511827"], "basis": "filings"})
    assert filings.organization_ids == [team.pk] and filings.user_ids == [leader.pk]
    # a prefecture alert covers the county filing; a county alert is covered by a city filing
    assert resolve({"regions": ["511800"], "basis": "filings"}).user_ids == [leader.pk]
    both = resolve({"regions": ["511826"], "basis": "both"})
    assert team.pk in both.organization_ids


def test_filings_count_only_approved_or_arrived_filings_of_active_incidents(
    lushan_team_in_baoxing,
):
    team, _leader, incident = lushan_team_in_baoxing
    waiting = f.OrganizationFactory(region_code="510100")
    f.org_user(waiting)
    DeploymentFactory(
        incident=incident,
        organization=waiting,
        area_region_code="511827",
        status=Deployment.Status.FILED,
    )
    assert resolve({"regions": ["511827"], "basis": "filings"}).organization_ids == [team.pk]
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.CLOSED)
    assert resolve({"regions": ["511827"], "basis": "filings"}).organization_ids == []


def test_a_filing_of_another_incident_does_not_count_when_the_incident_is_named(
    lushan_team_in_baoxing,
):
    team, _leader, incident = lushan_team_in_baoxing
    other = IncidentFactory(region_code="511827")
    audience = {"regions": ["511827"], "basis": "filings"}
    assert resolve({**audience, "incident": incident.pk}).organization_ids == [team.pk]
    assert resolve({**audience, "incident": other.pk}).organization_ids == []


def test_an_official_alert_tied_to_a_responding_incident_selects_by_filings(
    api, official, lushan_team_in_baoxing
):
    team, leader, incident = lushan_team_in_baoxing
    body = {
        "title": "宝兴县余震预警",
        "level": "orange",
        "incident": incident.pk,
        "audience": {"regions": ["511827"]},
        "channels": ["in_app"],
    }
    created = api(official).post("/api/v1/alerts/", body, format="json")
    assert created.status_code == 201, created.json()
    alert = Alert.objects.get()
    assert alert.audience["basis"] == "filings" and alert.recipient_count == 1
    assert Delivery.objects.get(alert=alert).user_id == leader.pk
    preview = api(official).post(
        "/api/v1/alerts/preview/",
        {"regions": ["511827"], "incident": incident.pk},
        format="json",
    )
    assert preview.json()["basis"] == "filings" and preview.json()["people"] == 1
    # without an incident, registration decides
    no_incident = api(official).post(
        "/api/v1/alerts/preview/", {"regions": ["511827"]}, format="json"
    )
    assert no_incident.json()["basis"] == "registered" and no_incident.json()["people"] == 0


def test_kinds_and_specialties_at_a_grade(ngo, ngo_admin):
    foundation = f.OrganizationFactory(kind="foundation", region_code="511802")
    giver = f.org_user(foundation)
    grade3 = f.OrganizationFactory(region_code="511802")
    f.org_user(grade3)
    f.CapabilityFactory(organization=grade3, specialty="water_rescue", declared_grade=3)
    f.CapabilityFactory(organization=ngo, specialty="water_rescue", declared_grade=1)
    assert resolve({"kinds": ["foundation"]}).user_ids == [giver.pk]
    graded = resolve({"specialties": ["water_rescue"], "min_grade": 2})
    assert graded.organization_ids == [ngo.pk]
    either = resolve(
        {"regions": ["511800"], "specialties": ["water_rescue"], "kinds": ["foundation"]}
    )
    assert set(either.organization_ids) == {ngo.pk, grade3.pk, foundation.pk}


def test_mobilization_reaches_foundations_with_its_type(official, ngo, ngo_admin):
    f.CapabilityFactory(organization=ngo, specialty="building_collapse")
    foundation = f.OrganizationFactory(kind="foundation", region_code="511802")
    giver = f.org_user(foundation)
    far_foundation = f.OrganizationFactory(kind="foundation", region_code="440300")
    f.org_user(far_foundation)
    incident_services.create_incident(
        by=official,
        title="芦山6.1级地震",
        kind="natural_disaster",
        subtype="earthquake",
        region_code="511826",
        grade=3,
        started_at=timezone.now(),
    )
    alert = Alert.objects.get(alert_type="mobilization")
    reached = set(alert.deliveries.values_list("user_id", flat=True))
    assert {ngo_admin.pk, giver.pk} <= reached
    assert len(reached) == 2
    # the incident's county first (region_code), then the mobilized prefecture
    assert alert.regions == ["511826", "511800"]


@pytest.mark.parametrize(
    "audience, field",
    [
        ({"regions": ["511826"], "basis": "nearby"}, "basis"),
        ({"kinds": ["agency"]}, "kinds"),
        ({"regions": ["511826"], "min_grade": 2}, "min_grade"),
        ({"specialties": ["water_rescue"], "min_grade": 7}, "min_grade"),
    ],
)
def test_bad_audiences_are_field_level_400s(api, official, audience, field):
    response = api(official).post("/api/v1/alerts/preview/", audience, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    issued = api(official).post(
        "/api/v1/alerts/",
        {"title": "t", "level": "blue", "audience": audience, "channels": ["in_app"]},
        format="json",
    )
    assert issued.status_code == 400 and field in issued.json()["audience"], issued.json()
    with pytest.raises(ValidationError) as error:
        services.issue_alert(
            by=official, title="t", body="", level="blue", audience=audience, channels=["in_app"]
        )
    assert field in error.value.message_dict
    assert not Alert.objects.exists()


def test_kinds_alone_stay_inside_the_jurisdiction(api, official):
    near = f.OrganizationFactory(kind="foundation", region_code="511826")
    f.org_user(near)
    far = f.OrganizationFactory(kind="foundation", region_code="440300")
    f.org_user(far)
    body = api(official).post("/api/v1/alerts/preview/", {"kinds": ["foundation"]}, format="json")
    assert body.status_code == 200 and body.json()["organizations"] == 1


def test_the_preview_lists_who_can_and_cannot_be_reached_per_channel(api, official, ngo):
    texted = f.org_user(ngo, Role.ADMIN)
    texted.first_name = "小明"
    texted.save()
    Preference.objects.create(user=texted, phone="13800000000", sms=True)
    silent = f.org_user(ngo, Role.MEMBER)
    silent.first_name, silent.email = "小红", ""
    silent.save()
    WebhookFactory(organization=ngo)
    hookless = f.OrganizationFactory(name="无接口救援队", region_code="511826")
    f.org_user(hookless)
    response = api(official).post("/api/v1/alerts/preview/", {"regions": ["511826"]}, format="json")
    body = response.json()
    sms, email, webhook = (body["channels"][c] for c in ("sms", "email", "webhook"))
    assert [p["name"] for p in sms["reached"]] == ["小明"]
    cannot = {p["name"]: p["reason"] for p in sms["unreachable"]}
    assert cannot["小红"] == "no_phone" and sms["unreachable_count"] == 2
    assert {p["name"]: p["reason"] for p in email["unreachable"]} == {"小红": "no_email"}
    assert [o["name"] for o in webhook["reached"]] == [ngo.name]
    assert webhook["unreachable"] == [
        {"id": hookless.pk, "name": "无接口救援队", "reason": "no_webhook"}
    ]
    assert body["channels"]["in_app"]["reached_count"] == 3
    assert sms["reached"][0]["organization"] == ngo.name


def test_the_issue_page_previews_who_cannot_be_reached(client, official, ngo):
    member = f.org_user(ngo, Role.MEMBER)
    member.first_name = "小红"
    member.save()
    client.force_login(official)
    form = {
        "title": "山洪预警",
        "body": "立即转移",
        "level": "red",
        "channels": ["in_app", "sms"],
        "regions": "511826",
        "preview": "1",
    }
    page = client.post("/alerts/new/", form)
    html = page.content.decode()
    assert_readable_html(page.content)
    assert 'data-testid="cannot-sms"' in html and "小红" in html and "未留手机号" in html
    assert 'data-channel="email"' not in html  # only the ticked channels


def test_the_preview_costs_a_fixed_number_of_queries(api, official):
    def count(n: int) -> int:
        for _ in range(n):
            org = f.OrganizationFactory(region_code="511826")
            for _ in range(2):
                user = f.org_user(org)
                Preference.objects.create(user=user, phone="13800000000")
            WebhookFactory(organization=org)
        client = api(official)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                "/api/v1/alerts/preview/", {"regions": ["511826"]}, format="json"
            )
        assert response.status_code == 200
        return len(queries)

    count(0)  # warms per-process caches (regions, the official's jurisdiction)
    small = count(1)
    assert count(10) == small
    assert small <= 12


def test_the_issue_page_reaches_the_team_by_its_filing(client, official, lushan_team_in_baoxing):
    team, leader, _incident = lushan_team_in_baoxing
    client.force_login(official)
    form = {
        "title": "宝兴县山洪预警",
        "body": "沿河队伍立即撤离。",
        "level": "orange",
        "channels": ["in_app"],
        "regions": "511827",
    }
    registered = client.post("/alerts/new/", {**form, "basis": "registered", "preview": "1"})
    assert "将触达 0 个组织的 0 人" in registered.content.decode().replace("\n", "")
    filed = client.post("/alerts/new/", {**form, "basis": "filings", "preview": "1"})
    assert team.name in filed.content.decode()
    sent = client.post("/alerts/new/", {**form, "basis": "filings"})
    assert sent.status_code == 302
    alert = Alert.objects.get()
    assert list(alert.deliveries.values_list("user_id", flat=True)) == [leader.pk]


def test_the_preview_is_for_officials_in_their_jurisdiction_only(
    api, anon_client, ngo_admin, outside_official, lushan_team_in_baoxing
):
    audience = {"regions": ["511827"], "basis": "filings"}
    assert anon_client.post("/api/v1/alerts/preview/", audience, format="json").status_code in (
        401,
        403,
    )
    assert (
        api(ngo_admin).post("/api/v1/alerts/preview/", audience, format="json").status_code == 403
    )
    outside = api(outside_official).post("/api/v1/alerts/preview/", audience, format="json")
    assert outside.status_code == 400 and "audience" in outside.json()
    with pytest.raises(PermissionDenied):
        services.preview(by=ngo_admin, audience=audience)
