"""Verification state machine: verify / reject / suspend / reinstate by officials with
jurisdiction."""

import pytest

from alerts.models import Alert
from core.models import AuditEvent
from registry.models import Organization
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending():
    org = f.OrganizationFactory(status="pending", verified_at=None, region_code="511826")
    f.org_user(org)
    return org


def test_official_in_jurisdiction_verifies_and_admins_are_told(api, official, pending):
    response = api(official).post(
        f"/api/v1/organizations/{pending.pk}/verify/", {"decision": "verified"}
    )
    assert response.status_code == 200, response.json()
    pending.refresh_from_db()
    assert pending.status == "verified" and pending.verified_at
    event = AuditEvent.objects.get(action="registry.verify")
    assert (event.from_status, event.to_status) == ("pending", "verified")
    assert event.region_code == "511826" and event.organization_id == pending.pk
    alert = Alert.objects.filter(audience__organizations=[pending.pk]).get()
    assert alert.audience["roles"] == ["admin"]


def test_reject_needs_a_reason(api, official, pending):
    url = f"/api/v1/organizations/{pending.pk}/verify/"
    response = api(official).post(url, {"decision": "rejected"})
    assert response.status_code == 400 and "reason" in response.json()
    response = api(official).post(url, {"decision": "rejected", "reason": "证书与名称不符"})
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == "rejected" and pending.status_reason == "证书与名称不符"


def test_rejected_cannot_be_verified_later(api, official, pending):
    url = f"/api/v1/organizations/{pending.pk}/verify/"
    api(official).post(url, {"decision": "rejected", "reason": "x"})
    response = api(official).post(url, {"decision": "verified"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_suspend_and_reinstate(api, official, ngo):
    url = f"/api/v1/organizations/{ngo.pk}/"
    assert api(official).post(url + "suspend/", {"reason": ""}).status_code == 400
    assert api(official).post(url + "suspend/", {"reason": "虚报装备"}).status_code == 200
    ngo.refresh_from_db()
    assert ngo.status == "suspended"
    assert api(official).post(url + "suspend/", {"reason": "again"}).status_code == 409
    assert api(official).post(url + "reinstate/", {}).status_code == 200
    ngo.refresh_from_db()
    assert ngo.status == "verified"
    assert api(official).post(url + "reinstate/", {}).status_code == 409
    actions = list(
        AuditEvent.objects.filter(organization_id=ngo.pk).values_list("action", flat=True)
    )
    assert {"registry.suspend", "registry.reinstate"} <= set(actions)


def test_pending_cannot_be_suspended(api, official, pending):
    response = api(official).post(f"/api/v1/organizations/{pending.pk}/suspend/", {"reason": "x"})
    assert response.status_code == 409


def test_suspended_org_leaves_the_public_directory(api, official, ngo):
    api(official).post(f"/api/v1/organizations/{ngo.pk}/suspend/", {"reason": "x"})
    assert api().get(f"/api/v1/organizations/{ngo.pk}/").status_code == 404
    ids = [o["id"] for o in api().get("/api/v1/organizations/").json()["results"]]
    assert ngo.pk not in ids


def test_verification_queue_lists_pending_in_jurisdiction_oldest_first(client, official):
    first = f.OrganizationFactory(status="pending", region_code="511826", name="先登记")
    second = f.OrganizationFactory(status="pending", region_code="511802", name="后登记")
    f.OrganizationFactory(status="pending", region_code="440300", name="广东的")
    Organization.objects.filter(pk=first.pk).update(created_at=second.created_at.replace(year=2020))
    client.force_login(official)
    html = client.get("/verification/").content.decode()
    assert html.index("先登记") < html.index("后登记")
    assert "广东的" not in html


def test_decision_form_verifies(client, official):
    org = f.OrganizationFactory(status="pending", region_code="511826")
    client.force_login(official)
    assert client.get(f"/organizations/{org.pk}/decide/").status_code == 200
    response = client.post(
        f"/organizations/{org.pk}/decide/", {"decision": "rejected", "reason": ""}
    )
    assert response.status_code == 200  # reason required
    response = client.post(f"/organizations/{org.pk}/decide/", {"decision": "verified"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == "verified"


def test_official_status_filter_lists_pending_in_jurisdiction(api, official, outside_official):
    org = f.OrganizationFactory(status="pending", region_code="511826")
    ids = [
        o["id"]
        for o in api(official).get("/api/v1/organizations/?status=pending").json()["results"]
    ]
    assert ids == [org.pk]
    assert api(outside_official).get("/api/v1/organizations/?status=pending").json()["count"] == 0
    assert api().get("/api/v1/organizations/?status=pending").json()["count"] == 0
