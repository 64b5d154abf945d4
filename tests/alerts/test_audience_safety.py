"""Hardening, round two, item 4: a mistyped audience key must not become the whole jurisdiction.

Before: ``{"organisations": [3]}`` previewed everyone in the jurisdiction and ``{"users": [2, 7]}``
issued an alert to all of them. Now unknown keys are a 400 (API serializer, alerts.audience.clean
and the services alike), and an audience naming no target needs ``"everyone": true``."""

import pytest
from django.core.exceptions import ValidationError

from alerts import audience as audiences
from alerts import services
from alerts.models import Alert, Delivery

pytestmark = pytest.mark.django_db

ALERT = {
    "title": "芦山县暴雨橙色预警",
    "body": "请注意防范山洪。",
    "level": "orange",
    "channels": ["in_app"],
}


@pytest.fixture
def jurisdiction(official, ngo_admin, ngo_member, other_ngo_admin):
    """Three people in two organizations of the official's jurisdiction (雅安)."""
    return official


def test_a_mistyped_key_in_the_preview_is_a_400_not_the_whole_jurisdiction(api, jurisdiction, ngo):
    response = api(jurisdiction).post(
        "/api/v1/alerts/preview/", {"organisations": [ngo.pk]}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert "organisations" in response.json()


def test_a_users_audience_is_refused_and_nothing_is_sent(api, jurisdiction, ngo_admin):
    response = api(jurisdiction).post(
        "/api/v1/alerts/",
        {**ALERT, "audience": {"users": [ngo_admin.pk]}},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "users" in response.json()["audience"]
    assert not Alert.objects.exists() and not Delivery.objects.exists()


def test_an_audience_without_a_target_needs_everyone(api, jurisdiction):
    client = api(jurisdiction)
    for audience in ({}, {"roles": ["admin"]}):
        response = client.post("/api/v1/alerts/preview/", audience, format="json")
        assert response.status_code == 400 and "everyone" in response.json(), response.json()
        issued = client.post("/api/v1/alerts/", {**ALERT, "audience": audience}, format="json")
        assert issued.status_code == 400, issued.json()
        assert "everyone" in issued.json()["audience"]
    assert not Alert.objects.exists()
    preview = client.post("/api/v1/alerts/preview/", {"everyone": True}, format="json")
    assert _counts(preview.json()) == {"people": 3, "organizations": 2, "everyone": True}
    issued = client.post(
        "/api/v1/alerts/",
        {**ALERT, "audience": {"everyone": True, "roles": ["admin"]}},
        format="json",
    )
    assert issued.status_code == 201, issued.json()
    assert issued.json()["recipient_count"] == 2  # the two admins


def _counts(body: dict) -> dict:
    return {key: body[key] for key in ("people", "organizations", "everyone")}


def test_everyone_with_a_target_is_contradictory(api, jurisdiction, ngo):
    response = api(jurisdiction).post(
        "/api/v1/alerts/preview/",
        {"everyone": True, "organizations": [ngo.pk]},
        format="json",
    )
    assert response.status_code == 400 and "everyone" in response.json(), response.json()
    targeted = api(jurisdiction).post(
        "/api/v1/alerts/preview/", {"organizations": [ngo.pk]}, format="json"
    )
    assert _counts(targeted.json()) == {"people": 2, "organizations": 1, "everyone": False}


def test_the_services_refuse_the_same_without_the_api(jurisdiction, ngo):
    """Pages and other callers go through the services: the same rules hold there."""
    with pytest.raises(ValidationError) as unknown:
        services.preview(by=jurisdiction, audience={"organisations": [ngo.pk]})
    assert "audience" in unknown.value.message_dict
    with pytest.raises(ValidationError) as missing:
        services.issue_alert(
            by=jurisdiction, audience={}, title="t", body="b", level="blue", channels=["in_app"]
        )
    assert "everyone" in missing.value.message_dict
    with pytest.raises(ValidationError) as typed:
        audiences.clean({"everyone": "yes"})
    assert "everyone" in typed.value.message_dict
    assert not Alert.objects.exists()
    found = services.preview(by=jurisdiction, audience={"everyone": True})
    assert (found["people"], found["everyone"]) == (3, True)


def test_the_issue_page_asks_for_everyone_and_the_preview_says_whole_jurisdiction(
    client, jurisdiction
):
    client.force_login(jurisdiction)
    form = {"title": "山洪预警", "body": "立即转移", "level": "red", "channels": ["in_app"]}
    page = client.post("/alerts/new/", {**form, "preview": "1"}).content.decode()
    assert 'data-testid="reach"' not in page and "全辖区" in page  # the error names the box
    response = client.post("/alerts/new/", form)
    assert response.status_code == 200 and not Alert.objects.exists()
    page = client.post("/alerts/new/", {**form, "everyone": "on", "preview": "1"}).content.decode()
    assert 'data-testid="reach-everyone"' in page and "全辖区 3 人" in page
    response = client.post("/alerts/new/", {**form, "everyone": "on"})
    assert response.status_code == 302 and Alert.objects.get().recipient_count == 3
