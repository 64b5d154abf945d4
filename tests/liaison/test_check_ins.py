"""Safety check-ins of deployed teams: a missed one alerts the bureau once."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert, Delivery
from liaison.models import MissedCheckIn
from liaison.services import sweep_missed_check_ins
from tests.coordination.factories import DeploymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployment(ngo, incident):
    return DeploymentFactory(organization=ngo, incident=incident, arrival_at=timezone.now())


def test_a_missed_check_in_alerts_the_bureau_once(api, official, ngo_admin, ngo_member, deployment):
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(hours=5, minutes=59)):
        assert sweep_missed_check_ins() == 0
    with time_machine.travel(start + dt.timedelta(hours=6, minutes=1)):
        assert sweep_missed_check_ins() == 1
        assert sweep_missed_check_ins() == 0  # once per gap
    alerts = Alert.objects.filter(title__contains=deployment.organization.name)
    assert Delivery.objects.filter(alert__in=alerts, user=official).count() == 1
    assert Delivery.objects.filter(alert__in=alerts, user=ngo_admin).count() == 1
    assert not Delivery.objects.filter(alert__in=alerts, user=ngo_member).exists()
    with time_machine.travel(start + dt.timedelta(hours=6, minutes=5)):
        page = api(official).get("/api/v1/check-ins/")
        assert page.status_code == 200
        # the bureau's home lists it; the team checks in from its phone, which resolves it
        response = api(ngo_member).post(
            "/api/v1/check-ins/",
            {"deployment": deployment.pk, "latitude": "30.3", "longitude": "102.95"},
            format="json",
        )
        assert response.status_code == 201, response.json()
    assert MissedCheckIn.objects.get().resolved_at is not None
    # the clock restarted at the check-in: 6 hours later it is missed again, alerted again
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=4)):
        assert sweep_missed_check_ins() == 0
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=6)):
        assert sweep_missed_check_ins() == 1
    assert MissedCheckIn.objects.count() == 2


def test_a_team_in_trouble_alerts_the_bureau_at_once(api, official, ngo_member, deployment):
    refused = api(ngo_member).post(
        "/api/v1/check-ins/", {"deployment": deployment.pk, "safe": False}, format="json"
    )
    assert refused.status_code == 400 and list(refused.json()) == ["note"]
    response = api(ngo_member).post(
        "/api/v1/check-ins/",
        {"deployment": deployment.pk, "safe": False, "note": "两名队员受伤，请求撤离"},
        format="json",
    )
    assert response.status_code == 201
    assert Delivery.objects.filter(user=official, alert__level="red").exists()


def test_who_checks_in(api, other_ngo_admin, official, ngo_member, deployment):
    body = {"deployment": deployment.pk}
    assert api().post("/api/v1/check-ins/", body, format="json").status_code == 403
    assert api(other_ngo_admin).post("/api/v1/check-ins/", body, format="json").status_code == 403
    assert api(official).post("/api/v1/check-ins/", body, format="json").status_code == 403
    deployment.status = "withdrawn"
    deployment.save()
    refused = api(ngo_member).post("/api/v1/check-ins/", body, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["deployment"]


def test_filed_but_not_approved_teams_are_not_watched(ngo, incident):
    DeploymentFactory(organization=ngo, incident=incident, status="filed")
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        assert sweep_missed_check_ins() == 0


def test_the_check_in_page_on_a_phone_and_the_bureau_list(client, ngo_member, official, deployment):
    client.force_login(ngo_member)
    html = client.get("/check-ins/").content.decode()
    assert f'action="/check-ins/{deployment.pk}/"' in html
    response = client.post(f"/check-ins/{deployment.pk}/", {"safe": "1", "note": ""})
    assert response.status_code == 302
    assert deployment.safety_check_ins.count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(hours=7)):
        sweep_missed_check_ins()
        client.force_login(official)
        html = client.get("/check-ins/").content.decode()
        assert 'data-testid="missed"' in html and deployment.organization.name in html
        home = client.get("/").content.decode()
        assert 'class="waiting" data-key="missed_check_ins"' in home
