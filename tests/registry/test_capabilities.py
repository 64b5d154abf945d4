"""Capability declarations, assessment (测评) by the province or a delegated city,
revocation (注销)."""

import datetime

import pytest
from django.utils import timezone

from alerts.models import Alert
from core.models import AuditEvent
from registry.queries import eligible_organizations, is_eligible
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def declare(api, admin, org, **extra):
    body = {
        "specialty": "water_rescue",
        "declared_grade": 2,
        "personnel": {"management": 2, "rescue": 8, "safety_officer": 1},
        "equipment": [{"name": "冲锋舟", "quantity": 3}],
        "phases": ["response"],
        "service_regions": ["511800"],
        **extra,
    }
    return api(admin).post(f"/api/v1/organizations/{org.pk}/capabilities/", body, format="json")


def test_admin_declares_a_capability_that_does_not_count_until_assessed(api, ngo, ngo_admin):
    response = declare(api, ngo_admin, ngo)
    assert response.status_code == 201, response.json()
    assert response.json()["assessed_grade"] is None
    assert not is_eligible(ngo, specialty="water_rescue", min_grade=3)
    listing = api().get(f"/api/v1/organizations/{ngo.pk}/capabilities/").json()
    assert listing[0]["equipment"] == [{"name": "冲锋舟", "quantity": 3}]


def test_declaring_the_same_specialty_twice_is_a_field_error(api, ngo, ngo_admin):
    declare(api, ngo_admin, ngo)
    response = declare(api, ngo_admin, ngo)
    assert response.status_code == 400 and "specialty" in response.json()


def test_bad_declarations_are_field_errors(api, ngo, ngo_admin):
    assert "declared_grade" in declare(api, ngo_admin, ngo, declared_grade=4).json()
    assert "equipment" in declare(api, ngo_admin, ngo, equipment=[{"name": "x"}]).json()
    assert "service_regions" in declare(api, ngo_admin, ngo, service_regions=["999999"]).json()


def test_declared_grade_cannot_set_the_assessed_grade(api, ngo, ngo_admin):
    cap_id = declare(api, ngo_admin, ngo).json()["id"]
    response = api(ngo_admin).patch(
        f"/api/v1/capabilities/{cap_id}/", {"declared_grade": 1, "assessed_grade": 1}, format="json"
    )
    assert response.status_code == 400  # a read-only field sent is an unknown key, not ignored
    assert list(response.json()) == ["assessed_grade"]
    response = api(ngo_admin).patch(
        f"/api/v1/capabilities/{cap_id}/", {"declared_grade": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["declared_grade"] == 1 and response.json()["assessed_grade"] is None


def test_delegated_city_official_assesses_with_default_validity(
    api, ngo, ngo_admin, official, settings
):
    cap_id = declare(api, ngo_admin, ngo).json()["id"]
    response = api(official).post(
        f"/api/v1/capabilities/{cap_id}/assess/", {"grade": 2, "score": "86.5", "notes": "演练合格"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    today = timezone.localdate()
    expected = today + datetime.timedelta(days=settings.TONGZHOU_ASSESSMENT_VALID_DAYS)
    assert body["valid_until"] == expected.isoformat()
    assert is_eligible(ngo, specialty="water_rescue", min_grade=2)
    assert is_eligible(ngo, specialty="water_rescue", min_grade=3)
    assert not is_eligible(ngo, specialty="water_rescue", min_grade=1)
    assert AuditEvent.objects.filter(action="registry.assess", organization_id=ngo.pk).exists()
    assert Alert.objects.filter(audience__organizations=[ngo.pk]).exists()


def test_city_not_delegated_cannot_assess(api, ngo, ngo_admin, official, settings):
    settings.TONGZHOU_ASSESSMENT_DELEGATED_CITIES = []
    cap_id = declare(api, ngo_admin, ngo).json()["id"]
    response = api(official).post(
        f"/api/v1/capabilities/{cap_id}/assess/", {"grade": 2, "score": 80}
    )
    assert response.status_code == 403


def test_province_official_assesses_and_history_is_kept(api, ngo, ngo_admin, province_official):
    cap_id = declare(api, ngo_admin, ngo).json()["id"]
    url = f"/api/v1/capabilities/{cap_id}/"
    api(province_official).post(url + "assess/", {"grade": 3, "score": 70})
    api(province_official).post(url + "assess/", {"grade": 1, "score": 95})
    history = api(province_official).get(url + "assessments/").json()
    assert [a["grade"] for a in history] == [1, 3]
    assert is_eligible(ngo, specialty="water_rescue", min_grade=1)


@pytest.mark.parametrize(
    "body",
    [
        {"grade": 4, "score": 80},
        {"grade": 1, "score": 101},
        {"grade": 1, "score": -1},
        {"grade": 2},
    ],
)
def test_assessment_input_is_checked(api, ngo, ngo_admin, official, body):
    cap_id = declare(api, ngo_admin, ngo).json()["id"]
    assert api(official).post(f"/api/v1/capabilities/{cap_id}/assess/", body).status_code == 400


def test_revocation_needs_a_reason_and_ends_eligibility(api, ngo, ngo_admin, official):
    cap_id = declare(api, ngo_admin, ngo).json()["id"]
    url = f"/api/v1/capabilities/{cap_id}/"
    assert (
        api(official).post(url + "revoke/", {"reason": "x"}).status_code == 409
    )  # nothing to revoke
    api(official).post(url + "assess/", {"grade": 2, "score": 80})
    assert api(official).post(url + "revoke/", {"reason": ""}).status_code == 400
    response = api(official).post(url + "revoke/", {"reason": "队伍解散"})
    assert response.status_code == 200
    assert response.json()["current_grade"] is None
    assert not eligible_organizations(specialty="water_rescue").filter(pk=ngo.pk).exists()
    assert api(official).post(url + "revoke/", {"reason": "again"}).status_code == 409


def test_expired_assessment_does_not_count(ngo):
    f.CapabilityFactory(
        organization=ngo,
        specialty="hazmat",
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert not is_eligible(ngo, specialty="hazmat", min_grade=3)


def test_pending_organization_cannot_be_assessed(api, official):
    org = f.OrganizationFactory(status="pending")
    cap = f.CapabilityFactory(organization=org, assessed_grade=None, valid_until=None)
    assert (
        api(official)
        .post(f"/api/v1/capabilities/{cap.pk}/assess/", {"grade": 2, "score": 80})
        .status_code
        == 409
    )


def test_assessment_form_page(client, ngo, official):
    cap = f.CapabilityFactory(organization=ngo, assessed_grade=None, valid_until=None)
    client.force_login(official)
    assert client.get(f"/capabilities/{cap.pk}/assess/").status_code == 200
    response = client.post(f"/capabilities/{cap.pk}/assess/", {"grade": 1, "score": "90"})
    assert response.status_code == 302
    cap.refresh_from_db()
    assert cap.current_grade == 1
    response = client.post(f"/capabilities/{cap.pk}/revoke/", {"reason": "注销"})
    assert response.status_code == 302
    cap.refresh_from_db()
    assert cap.current_grade is None
