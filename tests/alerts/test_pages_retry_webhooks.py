"""The last alert actions without pages: 重试 of a failed delivery on the alert page, and an
organization's webhook page (list, register; the secret made by the page is shown once)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from alerts.models import Delivery, Webhook
from tests.alerts.factories import AlertFactory, DeliveryFactory
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def _failed(alert, user, **kwargs):
    return DeliveryFactory(
        alert=alert, user=user, channel="email", status="failed", address="a@example.org", **kwargs
    )


def test_the_official_retries_a_failed_delivery_from_the_alert_page(client, official, ngo_admin):
    alert = AlertFactory(region_code="511826")
    sent = DeliveryFactory(alert=alert, user=ngo_admin)
    failed = _failed(alert, ngo_admin)
    client.force_login(official)
    page = client.get(f"/alerts/{alert.pk}/")
    html = page.content.decode()
    assert_readable_html(page.content)
    assert html.count('data-action="retry"') == 1
    assert f"/alerts/deliveries/{failed.pk}/retry/" in html
    assert f"/alerts/deliveries/{sent.pk}/retry/" not in html

    response = client.post(f"/alerts/deliveries/{failed.pk}/retry/")
    assert response.status_code == 302 and response.url == f"/alerts/{alert.pk}/"
    failed.refresh_from_db()
    assert failed.status in ("pending", "sending", "sent") and failed.status != "failed"
    assert [m.message for m in get_messages(response.wsgi_request)] == ["将重新发送。"]


def test_retrying_what_did_not_fail_is_refused_with_the_reason(client, official, ngo_admin):
    alert = AlertFactory(region_code="511826")
    sent = DeliveryFactory(alert=alert, user=ngo_admin)
    client.force_login(official)
    response = client.post(f"/alerts/deliveries/{sent.pk}/retry/", follow=True)
    assert response.status_code == 200
    assert Delivery.objects.get(pk=sent.pk).status == "sent"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_who_may_not_retry(client, official, outside_official, ngo_admin):
    alert = AlertFactory(region_code="511826")
    failed = _failed(alert, ngo_admin)
    url = f"/alerts/deliveries/{failed.pk}/retry/"
    assert client.post(url).status_code == 302  # the public: to the login page
    assert "/accounts/login/" in client.post(url).url
    client.force_login(outside_official)
    assert client.post(url).status_code == 404
    assert "retry" not in client.get(f"/alerts/{alert.pk}/").content.decode()
    client.force_login(ngo_admin)
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    assert Delivery.objects.get(pk=failed.pk).status == "failed"


def test_the_alert_page_costs_the_same_with_many_failed_deliveries(
    client, official, ngo_admin, django_assert_max_num_queries
):
    alert = AlertFactory(region_code="511826")
    _failed(alert, ngo_admin)
    client.force_login(official)
    client.get(f"/alerts/{alert.pk}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/alerts/{alert.pk}/")
    for _n in range(8):
        _failed(alert, f.UserFactory())
    with django_assert_max_num_queries(len(few)):
        html = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert html.count('data-action="retry"') == 9


def test_the_admin_registers_a_webhook_with_a_secret_made_and_shown_once(client, ngo, ngo_admin):
    client.force_login(ngo_admin)
    detail = client.get(f"/organizations/{ngo.pk}/").content.decode()
    assert f"/organizations/{ngo.pk}/webhooks/" in detail
    page = client.get(f"/organizations/{ngo.pk}/webhooks/")
    assert page.status_code == 200
    assert_readable_html(page.content)

    response = client.post(
        f"/organizations/{ngo.pk}/webhooks/", {"url": "http://127.0.0.1:9/hook", "secret": ""}
    )
    assert response.status_code == 200
    hook = Webhook.objects.get(organization=ngo, active=True)
    assert len(hook.secret) >= 16
    html = response.content.decode()
    assert hook.secret in html and 'data-testid="made-secret"' in html
    assert_readable_html(response.content)
    again = client.get(f"/organizations/{ngo.pk}/webhooks/").content.decode()
    assert hook.secret not in again and "http://127.0.0.1:9/hook" in again

    typed = "s" * 20
    response = client.post(
        f"/organizations/{ngo.pk}/webhooks/", {"url": "http://127.0.0.1:9/new", "secret": typed}
    )
    assert 'data-testid="made-secret"' not in response.content.decode()
    assert Webhook.objects.get(organization=ngo, active=True).url == "http://127.0.0.1:9/new"
    assert Webhook.objects.filter(organization=ngo).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.org/x", "secret": ""}, "url"),
        ({"url": "http://127.0.0.1:9/hook", "secret": "short"}, "secret"),
        ({"url": "", "secret": ""}, "url"),
    ],
)
def test_bad_webhook_input_is_a_form_error(client, ngo, ngo_admin, body, field):
    client.force_login(ngo_admin)
    response = client.post(f"/organizations/{ngo.pk}/webhooks/", body)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not Webhook.objects.exists()


def test_a_private_address_is_refused_in_production(client, ngo, ngo_admin, settings):
    settings.TONGZHOU_WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(ngo_admin)
    response = client.post(
        f"/organizations/{ngo.pk}/webhooks/", {"url": "http://127.0.0.1:9/hook", "secret": ""}
    )
    assert response.status_code == 200 and response.context["form"].errors["url"]
    assert not Webhook.objects.exists()


def test_only_the_organizations_admins_see_its_webhooks(
    client, ngo, ngo_member, other_ngo_admin, official
):
    """As the API: a verified organization's page exists for everyone (403), an unverified
    one's is hidden (404) from everyone but its members."""
    assert ngo.is_verified
    url = f"/organizations/{ngo.pk}/webhooks/"
    assert "/accounts/login/" in client.get(url).url
    for user in (ngo_member, other_ngo_admin, official):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
        assert client.post(url, {"url": "http://127.0.0.1:9/x"}).status_code == 403
    pending = f.OrganizationFactory(name="待认证队伍", region_code="511802", status="pending")
    client.force_login(other_ngo_admin)
    assert client.get(f"/organizations/{pending.pk}/webhooks/").status_code == 404
    assert not Webhook.objects.exists()
