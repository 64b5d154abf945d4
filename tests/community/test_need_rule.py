"""One need-posting rule (coordination.services.needs.need_fields) behind both paths: a routine
community need and an incident need refuse the same bad input with the same field messages,
through the services and through the API, and write nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from community import services as community
from community.models import RoutineNeed
from coordination import services as coordination
from coordination.models import Need
from core.models import AuditEvent
from tests.conftest import client_for
from tests.coordination.factories import IncidentFactory
from tests.registry import factories as f

pytestmark = pytest.mark.django_db

GOOD = {
    "category": "food_water",
    "description": "敬老院冬季饮水",
    "quantity": 40,
    "unit": "箱",
    "region_code": "511826",
}
BAD = [
    {"category": "pizza"},
    {"urgency": "now"},
    {"quantity": 0},
    {"region_code": "999999"},
    {"latitude": Decimal("30.15")},
    {"longitude": Decimal("102.93")},
    {"latitude": Decimal("60.0"), "longitude": Decimal("102.93")},
    {"latitude": Decimal("30.15"), "longitude": Decimal("160.0")},
    # several faults at once: the first in the shared order wins on both paths
    {"category": "pizza", "quantity": 0, "region_code": "999999"},
    {"quantity": 0, "latitude": Decimal("60.0")},
]


def refusal(post, **kw) -> dict:
    with pytest.raises(ValidationError) as refused:
        post(**{**GOOD, **kw})
    return refused.value.message_dict


@pytest.mark.parametrize("bad", BAD)
def test_both_services_refuse_the_same_input_with_the_same_field_messages(bad, ngo_admin, agency):
    incident = IncidentFactory(lead_agency=agency)
    routine = refusal(lambda **kw: community.post_need(by=ngo_admin, **kw), **bad)
    incident_need = refusal(
        lambda **kw: coordination.post_need(incident=incident, by=ngo_admin, **kw), **bad
    )
    assert routine == incident_need
    assert len(routine) == 1
    assert not RoutineNeed.objects.exists() and not Need.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["need.posted", "community.need_posted"])


@pytest.mark.parametrize("bad", BAD)
def test_both_apis_refuse_the_same_body_with_the_same_field_messages(bad, ngo_admin, agency):
    incident = IncidentFactory(lead_agency=agency)
    body = {**GOOD, **{k: str(v) for k, v in bad.items()}}
    client = client_for(ngo_admin)
    routine = client.post("/api/v1/community-needs/", body, format="json")
    incident_need = client.post(f"/api/v1/incidents/{incident.pk}/needs/", body, format="json")
    assert routine.status_code == incident_need.status_code == 400
    assert routine.json() == incident_need.json()
    assert not RoutineNeed.objects.exists() and not Need.objects.exists()


def test_who_may_post_is_one_rule_on_both_paths(ngo, ngo_admin, official, agency):
    """The same people are refused on both paths, an agency's member naming the agency too
    (agencies act through their officials' jurisdiction); the official posts confirmed on both,
    a verified organization unconfirmed; each path keeps its own audit row."""
    incident = IncidentFactory(lead_agency=agency)
    for stranger in (f.UserFactory(), f.org_user(status="pending")):
        with pytest.raises(PermissionDenied):
            community.post_need(by=stranger, **GOOD)
        with pytest.raises(PermissionDenied):
            coordination.post_need(incident=incident, by=stranger, **GOOD)
    routine = community.post_need(by=official, **GOOD)
    incident_need = coordination.post_need(incident=incident, by=official, **GOOD)
    for need in (routine, incident_need):
        assert need.is_confirmed and need.confirmed_by == official
        assert need.posted_by_organization is None
    routine = community.post_need(by=ngo_admin, **GOOD)
    incident_need = coordination.post_need(incident=incident, by=ngo_admin, **GOOD)
    for need in (routine, incident_need):
        assert not need.is_confirmed and need.posted_by_organization == ngo
    assert AuditEvent.objects.filter(action="community.need_posted").count() == 2
    assert (
        list(AuditEvent.objects.filter(action="need.posted").values_list("data", flat=True))
        == [{"category": "food_water", "quantity": 40, "unit": "箱"}] * 2
    )
    agency_member = f.org_user(agency, "admin")
    with pytest.raises(PermissionDenied):
        community.post_need(by=agency_member, organization=agency.pk, **GOOD)
    with pytest.raises(PermissionDenied):
        coordination.post_need(incident=incident, by=agency_member, organization=agency.pk, **GOOD)
