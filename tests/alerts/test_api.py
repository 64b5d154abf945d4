"""The alerts API and pages as users meet them: who may do what, 404 for what they may not
know, 409 for illegal transitions, fixed query counts."""

import pytest

from alerts.models import Alert, Delivery, Webhook
from core.display import display_name
from tests.alerts.factories import AlertFactory, DeliveryFactory
from tests.registry import factories as f

pytestmark = pytest.mark.django_db

ALERT = {
    "title": "芦山县暴雨橙色预警",
    "body": "请注意防范山洪。",
    "level": "orange",
    "audience": {"regions": ["511826"]},
    "channels": ["in_app"],
    "public": True,
}


def test_an_official_issues_an_alert_to_their_jurisdiction(api, official, ngo_admin, ngo_member):
    response = api(official).post("/api/v1/alerts/", ALERT, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["recipient_count"] == 2
    assert response.json()["severity"] == "Severe"
    assert Delivery.objects.filter(user=ngo_admin, channel="in_app").exists()


@pytest.mark.parametrize("who", [None, "ngo_admin", "expert"])
def test_only_officials_issue_alerts(api, request, who):
    user = request.getfixturevalue(who) if who else None
    assert api(user).post("/api/v1/alerts/", ALERT, format="json").status_code in (401, 403)
    assert not Alert.objects.exists()


def test_an_official_cannot_alert_outside_their_jurisdiction(api, outside_official, ngo_admin):
    response = api(outside_official).post("/api/v1/alerts/", ALERT, format="json")
    assert response.status_code == 400 and "audience" in response.json()
    assert not Alert.objects.exists()


def test_bad_input_gets_field_errors_never_500(api, official):
    for body, field in [
        ({**ALERT, "level": "purple"}, "level"),
        ({**ALERT, "channels": []}, "channels"),
        ({**ALERT, "audience": {"regions": ["xx"]}}, "audience"),
        ({**ALERT, "incident": 999}, "incident"),
        ({**ALERT, "msg_type": "Cancel"}, "references"),
    ]:
        response = api(official).post("/api/v1/alerts/", body, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()


def test_the_preview_counts_people_and_organizations(
    api, official, ngo_admin, ngo_member, other_ngo_admin
):
    response = api(official).post("/api/v1/alerts/preview/", {"regions": ["511800"]}, format="json")
    body = response.json()
    assert {k: body[k] for k in ("people", "organizations", "everyone")} == {
        "people": 3,
        "organizations": 2,
        "everyone": False,
    }
    assert api(ngo_admin).post("/api/v1/alerts/preview/", {}, format="json").status_code == 403


def test_the_preview_counts_only_inside_the_jurisdiction(api, outside_official, ngo, ngo_admin):
    """A count is information too: an official of 广东 may not learn how many people a Sichuan
    region or organization has, as they may not alert them."""
    client = api(outside_official)
    for audience in ({"regions": ["511826"]}, {"organizations": [ngo.pk]}):
        response = client.post("/api/v1/alerts/preview/", audience, format="json")
        assert response.status_code == 400 and "audience" in response.json(), response.json()
    own = client.post("/api/v1/alerts/preview/", {"everyone": True}, format="json")
    assert own.status_code == 200, own.json()  # their own jurisdiction, by default


def test_the_public_sees_public_alerts_and_officials_see_their_region(
    api, official, outside_official
):
    public = AlertFactory()
    private = AlertFactory(public=False, region_code="511826")
    assert [a["id"] for a in api().get("/api/v1/alerts/").json()["results"]] == [public.pk]
    assert {a["id"] for a in api(official).get("/api/v1/alerts/").json()["results"]} == {
        public.pk,
        private.pk,
    }
    assert api().get(f"/api/v1/alerts/{private.pk}/").status_code == 404
    assert api(outside_official).get(f"/api/v1/alerts/{private.pk}/").status_code == 404


def test_deliveries_are_for_officials_of_the_region_with_counts(
    api, official, outside_official, ngo_admin
):
    alert = AlertFactory(region_code="511826")
    DeliveryFactory(alert=alert, user=ngo_admin)
    response = api(official).get(f"/api/v1/alerts/{alert.pk}/deliveries/")
    assert response.status_code == 200
    assert response.json()["counts"]["sent"] == 1 and response.json()["counts"]["total"] == 1
    assert response.json()["results"][0]["recipient"] == display_name(ngo_admin)
    assert ngo_admin.username not in response.content.decode()
    assert api(outside_official).get(f"/api/v1/alerts/{alert.pk}/deliveries/").status_code == 404
    assert api(ngo_admin).get(f"/api/v1/alerts/{alert.pk}/deliveries/").status_code == 403
    assert api().get(f"/api/v1/alerts/{alert.pk}/deliveries/").status_code in (401, 403)


def test_retrying_a_delivery_that_did_not_fail_is_a_409(api, official, ngo_admin):
    alert = AlertFactory(region_code="511826")
    sent = DeliveryFactory(alert=alert, user=ngo_admin)
    failed = DeliveryFactory(
        alert=alert, user=ngo_admin, channel="email", status="failed", address="a@example.org"
    )
    response = api(official).post(f"/api/v1/deliveries/{sent.pk}/retry/")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert api(official).post(f"/api/v1/deliveries/{failed.pk}/retry/").status_code == 200
    assert Delivery.objects.get(pk=failed.pk).status == "pending"


def test_the_inbox_is_ones_own_and_marking_read_updates_the_badge(
    api, client, ngo_admin, ngo_member
):
    mine = DeliveryFactory(user=ngo_admin)
    theirs = DeliveryFactory(user=ngo_member)
    inbox = api(ngo_admin).get("/api/v1/inbox/").json()["results"]
    assert [item["id"] for item in inbox] == [mine.pk] and inbox[0]["unread"]
    assert api(ngo_admin).post(f"/api/v1/inbox/{theirs.pk}/read/").status_code == 404
    assert api().get("/api/v1/inbox/").status_code in (401, 403)
    client.force_login(ngo_admin)
    assert 'data-testid="unread">1<' in client.get("/inbox/").content.decode()
    assert api(ngo_admin).post(f"/api/v1/inbox/{mine.pk}/read/").json()["status"] == "read"
    assert api(ngo_admin).post(f"/api/v1/inbox/{mine.pk}/read/").status_code == 200
    assert 'data-testid="unread"' not in client.get("/inbox/").content.decode()
    assert api(ngo_admin).get("/api/v1/inbox/?unread=true").json()["count"] == 0


def test_preferences_round_trip_and_refuse_red_digests(api, ngo_admin):
    client = api(ngo_admin)
    body = {"email": False, "sms": True, "phone": "13800000001", "digest_levels": ["blue"]}
    assert client.put("/api/v1/alert-preferences/", body, format="json").status_code == 200
    assert client.get("/api/v1/alert-preferences/").json()["phone"] == "13800000001"
    bad = client.put(
        "/api/v1/alert-preferences/", {**body, "digest_levels": ["red"]}, format="json"
    )
    assert bad.status_code == 400 and "digest_levels" in bad.json()


def test_only_org_admins_register_webhooks(
    api, ngo, ngo_admin, ngo_member, other_ngo_admin, settings
):
    url = f"/api/v1/organizations/{ngo.pk}/webhooks/"
    body = {"url": "https://8.8.8.8/hook", "secret": "a-long-enough-secret"}
    assert api(ngo_member).post(url, body, format="json").status_code == 403
    assert api(other_ngo_admin).post(url, body, format="json").status_code == 403
    assert api().post(url, body, format="json").status_code in (401, 403)
    response = api(ngo_admin).post(url, body, format="json")
    assert response.status_code == 201 and "secret" not in response.json()
    assert api(ngo_admin).post(url, body, format="json").status_code == 201
    assert Webhook.objects.filter(organization=ngo, active=True).count() == 1
    pending = f.OrganizationFactory(status="pending")
    pending_url = f"/api/v1/organizations/{pending.pk}/webhooks/"
    assert api(other_ngo_admin).get(pending_url).status_code == 404


def test_a_webhook_to_a_private_address_is_refused_in_production(api, ngo, ngo_admin, settings):
    settings.TONGZHOU_WEBHOOK_ALLOW_PRIVATE = False
    body = {"url": "http://127.0.0.1:8000/hook", "secret": "a-long-enough-secret"}
    response = api(ngo_admin).post(f"/api/v1/organizations/{ngo.pk}/webhooks/", body, format="json")
    assert response.status_code == 400 and "url" in response.json()


@pytest.mark.parametrize("rows", [5, 100])
def test_inbox_and_delivery_lists_cost_a_fixed_number_of_queries(
    api, client, official, ngo_admin, rows, django_assert_max_num_queries
):
    alert = AlertFactory(region_code="511826")
    DeliveryFactory(alert=alert, user=ngo_admin)
    for _ in range(rows - 1):
        DeliveryFactory(user=ngo_admin)
        DeliveryFactory(alert=alert)
    with django_assert_max_num_queries(6):
        assert api(ngo_admin).get("/api/v1/inbox/?page_size=200").json()["count"] == rows
    with django_assert_max_num_queries(8):
        api(official).get(f"/api/v1/alerts/{alert.pk}/deliveries/?page_size=200")
    client.force_login(ngo_admin)
    with django_assert_max_num_queries(10):
        client.get("/inbox/")
    client.force_login(official)
    with django_assert_max_num_queries(12):
        client.get(f"/alerts/{alert.pk}/")
    with django_assert_max_num_queries(10):
        client.get("/alerts/")


def test_pages_work_for_their_users(client, official, ngo_admin, ngo_member):
    assert client.get("/alerts/").status_code == 200
    assert client.get("/inbox/").status_code == 302
    client.force_login(ngo_admin)
    assert client.get("/alerts/new/").status_code == 403
    assert client.get("/inbox/preferences/").status_code == 200
    response = client.post(
        "/inbox/preferences/", {"email": "on", "digest_levels": ["blue"]}, follow=True
    )
    assert response.status_code == 200
    client.force_login(official)
    form = {
        "title": "山洪预警",
        "body": "立即转移",
        "level": "red",
        "regions": "511826",
        "channels": ["in_app"],
        "preview": "1",
    }
    page = client.post("/alerts/new/", form).content.decode()
    assert 'data-testid="reach"' in page and "2" in page
    del form["preview"]
    response = client.post("/alerts/new/", form)
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/alerts/{alert.pk}/"
    assert 'data-testid="deliveries"' in client.get(f"/alerts/{alert.pk}/").content.decode()
    bad = client.post("/alerts/new/", {**form, "regions": "440300"})
    assert bad.status_code == 200 and Alert.objects.count() == 1
