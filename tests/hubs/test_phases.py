"""The whole cycle: an incident moves through 过渡安置 (transitional resettlement); the incident's
phase and the capabilities' declared phases decide who is offered and may take a task, and who
may bid on a tender for the incident."""

import pytest
from django.core.exceptions import PermissionDenied

from alerts.models import Alert
from coordination import services as coord
from coordination.models import Incident
from core.states import InvalidTransition
from procurement.phases import phase_ineligibility
from procurement.services.bids import can_bid
from registry.models import Phase
from tests.coordination.factories import DeploymentFactory, IncidentFactory, TaskFactory
from tests.procurement.factories import ProjectFactory
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def team(incident, phases, specialty="shelter_management"):
    org = f.OrganizationFactory()
    f.CapabilityFactory(organization=org, specialty=specialty, phases=phases)
    DeploymentFactory(incident=incident, organization=org)
    return org, f.org_user(org)


def test_an_incident_moves_through_transitional_resettlement_with_matching_tasks(official):
    incident = IncidentFactory(status=Incident.Status.RESPONDING)
    rescuers, rescuer = team(incident, ["response"])
    settlers, settler = team(incident, ["resettlement", "reconstruction"])

    coord.change_status(incident=incident, by=official, status="resettlement")
    incident.refresh_from_db()
    assert incident.status == "resettlement" and incident.phase == "resettlement"
    assert incident.get_status_display() == "过渡安置"

    task = coord.create_task(
        incident=incident,
        by=official,
        title="安置点管理",
        region_code="511826",
        specialty="shelter_management",
        min_grade=2,
    )
    # offered to the team serving the phase only
    alert = Alert.objects.filter(title__contains="安置点管理").get()
    assert alert.audience["organizations"] == [settlers.pk]
    # the rescue-only team may not claim it, and is told why
    with pytest.raises(PermissionDenied) as refused:
        coord.claim_task(task=task, by=rescuer)
    assert str(Phase.RESETTLEMENT.label) in str(refused.value)
    coord.claim_task(task=task, by=settler)
    task.refresh_from_db()
    assert task.organization == settlers

    coord.change_status(incident=incident, by=official, status="recovery")
    coord.change_status(incident=incident, by=official, status="closed")


def test_resettlement_moves_follow_the_table(official):
    incident = IncidentFactory(status=Incident.Status.MONITORING)
    with pytest.raises(InvalidTransition):
        coord.change_status(incident=incident, by=official, status="resettlement")
    assert "resettlement" in Incident.ACTIVE


def test_suggestions_follow_the_phase(official):
    from coordination.queries import suggestions

    incident = IncidentFactory(status=Incident.Status.RESETTLEMENT)
    rescuers, _ = team(incident, ["response"])
    settlers, _ = team(incident, ["resettlement"])
    anyone, _ = team(incident, [])  # no phase declared: serves every phase
    task = TaskFactory(incident=incident, specialty="shelter_management", min_grade=2)
    names = {row["organization"].pk for row in suggestions(task)}
    assert names == {settlers.pk, anyone.pk}


def test_a_tender_on_an_incident_accepts_bids_only_from_suppliers_serving_its_phase():
    incident = IncidentFactory(status=Incident.Status.RESETTLEMENT)
    project = ProjectFactory(incident=incident, eligibility_specialty="building_collapse")
    serving = f.OrganizationFactory()
    f.CapabilityFactory(organization=serving, phases=["resettlement"])
    other = f.OrganizationFactory()
    f.CapabilityFactory(organization=other, phases=["response"])
    assert phase_ineligibility(project, serving) == ""
    assert str(Phase.RESETTLEMENT.label) in phase_ineligibility(project, other)
    assert can_bid(project, serving) and not can_bid(project, other)
    # the same supplier qualifies once the incident is back in response
    incident.status = Incident.Status.RESPONDING
    incident.save()
    project.refresh_from_db()
    assert can_bid(project, other)


def test_a_goods_tender_without_specialty_judges_only_declared_phases():
    incident = IncidentFactory(status=Incident.Status.RECOVERY)
    project = ProjectFactory(
        incident=incident, eligibility_specialty="", eligibility_min_grade=None
    )
    goods = f.OrganizationFactory(kind="enterprise")
    responders = f.OrganizationFactory()
    f.CapabilityFactory(organization=responders, phases=["response"])
    assert phase_ineligibility(project, goods) == ""
    assert phase_ineligibility(project, responders)


def test_a_tender_without_incident_has_no_phase_rule():
    project = ProjectFactory(incident=None)
    org = f.OrganizationFactory()
    f.CapabilityFactory(organization=org, phases=["response"])
    assert phase_ineligibility(project, org) == ""


def test_an_organization_declares_the_phases_it_serves_on_its_capability_page(
    ngo, ngo_admin, client
):
    client.force_login(ngo_admin)
    response = client.post(
        f"/organizations/{ngo.pk}/capabilities/new/",
        {
            "specialty": "shelter_management",
            "declared_grade": 2,
            "mobility_range": "local",
            "phases": ["resettlement", "reconstruction"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cap = ngo.capabilities.get(specialty="shelter_management")
    assert cap.phases == ["resettlement", "reconstruction"]
    html = client.get(f"/organizations/{ngo.pk}/").content.decode()
    assert "过渡安置、恢复重建" in html


def test_an_unknown_phase_is_refused(ngo, ngo_admin):
    from django.core.exceptions import ValidationError

    from registry import services as reg

    with pytest.raises(ValidationError) as error:
        reg.declare_capability(
            organization=ngo, by=ngo_admin, specialty="water_rescue", declared_grade=3, phases=["x"]
        )
    assert "phases" in error.value.message_dict
