"""Needs with derived gaps, and deployment filings (报备) with per-area capacity."""

import pytest
from django.utils import timezone

from coordination import services
from coordination.models import Deployment, Need, Task
from core.models import AuditEvent
from tests.coordination.factories import (
    DeploymentFactory,
    IncidentFactory,
    NeedFactory,
    TaskFactory,
    TaskReportFactory,
)
from tests.registry.factories import OrganizationFactory, org_user

pytestmark = pytest.mark.django_db

NEED = {
    "category": "shelter",
    "description": "帐篷",
    "quantity": 200,
    "unit": "顶",
    "region_code": "511826",
    "urgency": "critical",
}


def needs_url(incident):
    return f"/api/v1/incidents/{incident.pk}/needs/"


def test_an_officials_need_counts_at_once(api, official, incident):
    response = api(official).post(needs_url(incident), NEED, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["confirmed"] is True
    assert response.json()["gap"] == 200


def test_an_organizations_need_waits_for_an_official(api, ngo_admin, official, incident):
    response = api(ngo_admin).post(needs_url(incident), NEED, format="json")
    assert response.status_code == 201
    need_id = response.json()["id"]
    assert response.json()["confirmed"] is False
    assert api().get(needs_url(incident)).json()["count"] == 0
    assert api(ngo_admin).get(needs_url(incident)).json()["count"] == 1
    assert api(official).get(needs_url(incident)).json()["count"] == 1
    assert api().post(f"/api/v1/needs/{need_id}/confirm/").status_code in (401, 403)
    assert api(ngo_admin).post(f"/api/v1/needs/{need_id}/confirm/").status_code == 403
    response = api(official).post(f"/api/v1/needs/{need_id}/confirm/")
    assert response.status_code == 200 and response.json()["confirmed"] is True
    assert api().get(needs_url(incident)).json()["count"] == 1
    again = api(official).post(f"/api/v1/needs/{need_id}/confirm/")
    assert again.status_code == 409


def test_unverified_organizations_and_the_public_may_not_post_needs(api, incident):
    pending = org_user(status="pending")
    assert api(pending).post(needs_url(incident), NEED, format="json").status_code == 403
    assert api().post(needs_url(incident), NEED, format="json").status_code in (401, 403)


def test_a_need_outside_the_incident_area_is_a_field_error(api, official, incident):
    response = api(official).post(
        needs_url(incident), {**NEED, "region_code": "440103"}, format="json"
    )
    assert response.status_code == 400 and "region_code" in response.json()


def test_committed_reached_and_gap_derive_from_tasks(api, incident):
    need = NeedFactory(incident=incident, quantity=100)
    org = OrganizationFactory()
    TaskFactory(incident=incident, need=need, quantity_committed=30)
    verified = TaskFactory(
        incident=incident, need=need, quantity_committed=50, status="verified", organization=org
    )
    TaskReportFactory(task=verified, quantity_delivered=45)
    TaskFactory(incident=incident, need=need, quantity_committed=500, status="cancelled")
    row = api().get(needs_url(incident)).json()["results"][0]
    assert (row["committed"], row["reached"], row["gap"]) == (80, 45, 20)


def test_needs_list_costs_the_same_for_5_and_100(api, incident, django_assert_max_num_queries):
    for count in (5, 100):
        NeedFactory.create_batch(count - Need.objects.count(), incident=incident)
        with django_assert_max_num_queries(4):
            response = api().get(needs_url(incident) + "?page_size=200")
        assert response.json()["count"] == count


FILING = {
    "headcount": 12,
    "specialties": ["building_collapse"],
    "vehicles": 2,
    "area_region_code": "511826",
    "arrival_at": "2026-11-23T12:00:00+08:00",
    "leader_name": "李队长",
    "leader_phone": "13800000001",
    "self_sufficiency_days": 3,
}


def file(api, user, incident, organization, **extra):
    data = {**FILING, "incident": incident.pk, "organization": organization.pk, **extra}
    return api(user).post("/api/v1/deployments/", data, format="json")


def test_an_organization_files_and_an_official_approves(api, ngo, ngo_admin, official, incident):
    response = file(api, ngo_admin, incident, ngo)
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "filed"
    pk = response.json()["id"]
    response = api(official).post(f"/api/v1/deployments/{pk}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert api(ngo_admin).post(f"/api/v1/deployments/{pk}/arrive/").json()["status"] == "arrived"
    response = api(ngo_admin).post(f"/api/v1/deployments/{pk}/withdraw/", {"reason": "任务结束"})
    assert response.json()["status"] == "withdrawn"
    actions = list(AuditEvent.objects.filter(target_id=str(pk)).values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["deployment.filed", "deployment.approved", "deployment.arrived", "deployment.withdrawn"]
    )


def test_holding_needs_a_reason(api, official, incident):
    filing = DeploymentFactory(incident=incident, status="filed")
    url = f"/api/v1/deployments/{filing.pk}/hold/"
    assert api(official).post(url, {}).status_code == 400
    response = api(official).post(url, {"reason": "道路中断，暂缓进入"})
    assert response.status_code == 200 and response.json()["status"] == "held"


def test_over_capacity_filings_are_held_with_a_reason(api, ngo, ngo_admin, official, incident):
    services.set_area_capacity(
        incident=incident, by=official, area_region_code="511826", max_teams=1
    )
    DeploymentFactory(incident=incident, status="approved")
    response = file(api, ngo_admin, incident, ngo)
    assert response.status_code == 201
    assert response.json()["status"] == "held"
    assert "四川省 雅安市 芦山县" in response.json()["status_reason"]  # the area in words
    response = api(official).post(f"/api/v1/deployments/{response.json()['id']}/approve/")
    assert response.status_code == 409 and "芦山县" in response.json()["detail"]


def test_people_capacity_counts_headcount(api, ngo, ngo_admin, official, incident):
    services.set_area_capacity(
        incident=incident, by=official, area_region_code="511826", max_people=20
    )
    DeploymentFactory(incident=incident, status="arrived", headcount=10)
    assert file(api, ngo_admin, incident, ngo, headcount=10).json()["status"] == "filed"
    other = OrganizationFactory()
    admin = org_user(other)
    assert file(api, admin, incident, other, headcount=11).json()["status"] == "held"


@pytest.mark.parametrize(
    ("start", "action", "who"),
    [
        ("filed", "arrive", "ngo_admin"),
        ("held", "arrive", "ngo_admin"),
        ("withdrawn", "approve", "official"),
        ("arrived", "approve", "official"),
        ("withdrawn", "withdraw", "ngo_admin"),
    ],
)
def test_illegal_filing_transitions_are_409(api, request, ngo, incident, start, action, who):
    filing = DeploymentFactory(incident=incident, organization=ngo, status=start)
    user = request.getfixturevalue(who)
    body = {"reason": "x"} if action in ("hold", "withdraw") else {}  # approve/arrive take none
    response = api(user).post(f"/api/v1/deployments/{filing.pk}/{action}/", body)
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "invalid_transition"


def test_filing_permissions(
    api, ngo, ngo_admin, other_ngo_admin, outside_official, official, incident
):
    filing = DeploymentFactory(incident=incident, organization=ngo, status="filed")
    # another organization may not file for ngo, nor see or touch its filing
    assert file(api, other_ngo_admin, incident, ngo).status_code == 403
    assert api(other_ngo_admin).get(f"/api/v1/deployments/{filing.pk}/").status_code == 404
    assert (
        api(other_ngo_admin).post(f"/api/v1/deployments/{filing.pk}/withdraw/").status_code == 404
    )
    # the organization may not approve its own filing
    assert api(ngo_admin).post(f"/api/v1/deployments/{filing.pk}/approve/").status_code == 403
    # an official outside the jurisdiction does not see it
    assert api(outside_official).get(f"/api/v1/deployments/{filing.pk}/").status_code == 404
    # officials may not arrive for the organization
    assert api(official).post(f"/api/v1/deployments/{filing.pk}/arrive/").status_code == 403
    assert api().get("/api/v1/deployments/").status_code in (401, 403)


def test_the_leader_phone_is_shown_only_to_officials_and_the_organization(
    api, ngo, ngo_admin, official, other_ngo_admin, incident, client
):
    DeploymentFactory(incident=incident, organization=ngo, leader_phone="13912345678")
    assert api(official).get("/api/v1/deployments/").json()["results"][0]["leader_phone"]
    assert api(ngo_admin).get("/api/v1/deployments/").json()["count"] == 1
    assert api(other_ngo_admin).get("/api/v1/deployments/").json()["count"] == 0
    page = client.get(f"/incidents/{incident.pk}/?tab=deployments").content.decode()
    assert "13912345678" not in page
    assert "张三" not in page


def test_one_open_filing_per_organization_and_area(api, ngo, ngo_admin, incident):
    DeploymentFactory(incident=incident, organization=ngo, status="filed")
    assert file(api, ngo_admin, incident, ngo).status_code == 409


def test_filing_into_a_closed_incident_is_refused(api, ngo, ngo_admin, agency):
    closed = IncidentFactory(status="closed", lead_agency=agency)
    assert file(api, ngo_admin, closed, ngo).status_code == 409


def test_filing_bad_input_is_a_field_error(api, ngo, ngo_admin, incident):
    response = file(api, ngo_admin, incident, ngo, headcount=0, specialties=["cooking"])
    assert response.status_code == 400
    assert {"headcount", "specialties"} <= set(response.json())


def test_deployment_list_costs_the_same_for_5_and_100(
    api, official, incident, django_assert_max_num_queries
):
    for count in (5, 100):
        DeploymentFactory.create_batch(
            count - Deployment.objects.count(), incident=incident, status="filed"
        )
        with django_assert_max_num_queries(4):
            response = api(official).get("/api/v1/deployments/?page_size=200")
        assert response.json()["count"] == count


def test_purge_erases_personal_data_after_the_retention_period(settings, official, agency):
    settings.TONGZHOU_PERSONAL_DATA_RETENTION_DAYS = 90
    incident = IncidentFactory(status="closed", lead_agency=agency)
    incident.closed_at = timezone.now() - timezone.timedelta(days=91)
    incident.save()
    recent = IncidentFactory(status="closed", lead_agency=agency, closed_at=timezone.now())
    filing = DeploymentFactory(incident=incident, leader_name="王五", leader_phone="13700000000")
    kept = DeploymentFactory(incident=recent, leader_phone="13600000000")
    task = TaskFactory(
        incident=incident, status=Task.Status.VERIFIED, organization=filing.organization
    )
    report = TaskReportFactory(task=task, beneficiaries="赵六 身份证 5118...")
    from coordination.tasks import purge_personal_data

    assert purge_personal_data.delay().get() == 1
    filing.refresh_from_db()
    report.refresh_from_db()
    kept.refresh_from_db()
    assert (filing.leader_phone, filing.leader_name) == ("", "王*")
    assert report.beneficiaries == ""
    assert kept.leader_phone == "13600000000"
    event = AuditEvent.objects.get(action="incident.personal_data_purged")
    assert event.region_code == "511826" and event.data == {"deployments": 1, "reports": 1}
    assert purge_personal_data.delay().get() == 0
