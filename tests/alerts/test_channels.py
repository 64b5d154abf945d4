"""Channels: signed webhooks, the SSRF guard, SMS length rules and the HTTP SMS gateway."""

import hashlib
import hmac

import pytest

from alerts import delivery as engine
from alerts import sms
from alerts.channels import DeliveryError, check_public_url, signature
from alerts.models import Delivery, Preference
from tests.alerts.factories import DeliveryFactory, WebhookFactory

pytestmark = pytest.mark.django_db


def test_a_webhook_is_signed_with_the_org_secret_and_carries_the_delivery_id(ngo, stub):
    webhook = WebhookFactory(organization=ngo, url=stub.url, secret="abcdefghijklmnop")
    delivery = DeliveryFactory(
        user=None, organization=ngo, webhook=webhook, channel="webhook", status="pending"
    )
    assert engine.deliver(delivery.pk) == "sent"
    request = stub.requests[0]
    expected = hmac.new(b"abcdefghijklmnop", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Tongzhou-Signature"] == f"sha256={expected}"
    assert request["headers"]["X-Tongzhou-Delivery"] == str(delivery.pk)
    assert stub.json()["delivery_id"] == delivery.pk
    assert stub.json()["alert"]["severity"] == "Extreme"


def test_signature_changes_with_the_body_or_the_secret():
    assert signature("k" * 16, b"a") != signature("k" * 16, b"b")
    assert signature("k" * 16, b"a") != signature("j" * 16, b"a")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_the_ssrf_guard_refuses_private_and_loopback_addresses(settings, url):
    settings.TONGZHOU_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValueError):
        check_public_url(url)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/x", "file:///etc/passwd", "http://u:p@8.8.8.8/"]
)
def test_the_ssrf_guard_refuses_other_schemes_and_credentials(settings, url):
    with pytest.raises(ValueError):
        check_public_url(url)


def test_the_ssrf_guard_accepts_a_public_address(settings):
    settings.TONGZHOU_WEBHOOK_ALLOW_PRIVATE = False
    check_public_url("https://8.8.8.8/hook")


def test_a_webhook_to_a_private_address_fails_permanently_in_production(ngo, stub, settings):
    settings.TONGZHOU_WEBHOOK_ALLOW_PRIVATE = False
    webhook = WebhookFactory(organization=ngo, url=stub.url)
    delivery = DeliveryFactory(
        user=None, organization=ngo, webhook=webhook, channel="webhook", status="pending"
    )
    assert engine.deliver(delivery.pk) == "failed"
    assert stub.requests == []


def test_short_chinese_text_fits_one_sms_with_the_signature():
    text = sms.cut("芦山县发布暴雨红色预警", signature="【同舟】")
    assert text == "【同舟】芦山县发布暴雨红色预警"
    assert sms.segments(text) == 1


def test_long_chinese_text_is_cut_to_the_segment_limit_with_an_ellipsis():
    text = sms.cut("地" * 500, signature="【同舟】", max_segments=3)
    assert len(text) == 3 * 67 and text.endswith("…")
    assert sms.segments(text) == 3
    one = sms.cut("地" * 100, signature="【同舟】", max_segments=1)
    assert len(one) == 70


def test_seventy_chinese_characters_are_one_sms_and_seventy_one_are_two():
    assert sms.segments("地" * 70) == 1
    assert sms.segments("地" * 71) == 2
    assert sms.segments("a" * 160) == 1 and sms.segments("a" * 161) == 2


def test_characters_beyond_the_bmp_count_twice_and_are_never_split():
    text = sms.cut("𠀀" * 100, signature="", max_segments=1)
    assert text.endswith("…") and all(ch in "𠀀…" for ch in text)
    assert len(text) == 35  # 34 x 2 units + the ellipsis


def test_the_http_sms_gateway_posts_the_cut_text_with_its_key(ngo_admin, stub, settings):
    settings.TONGZHOU_SMS_BACKEND = "http"
    settings.TONGZHOU_SMS_URL = stub.url
    settings.TONGZHOU_SMS_KEY = "gateway-key"
    Preference.objects.create(user=ngo_admin, sms=True, phone="13800000001")
    delivery = DeliveryFactory(
        user=ngo_admin, channel="sms", status="pending", address="13800000001"
    )
    assert engine.deliver(delivery.pk) == "sent"
    request = stub.requests[0]
    assert request["headers"]["Authorization"] == "Bearer gateway-key"
    body = stub.json()
    assert body["to"] == "13800000001" and body["id"] == delivery.pk
    assert body["text"].startswith("【同舟】") and sms.segments(body["text"]) <= 3


def test_a_refusing_sms_gateway_fails_the_delivery_permanently(ngo_admin, stub, settings):
    settings.TONGZHOU_SMS_BACKEND = "http"
    settings.TONGZHOU_SMS_URL = stub.url
    stub.status = 400
    delivery = DeliveryFactory(user=ngo_admin, channel="sms", status="pending", address="138")
    assert engine.deliver(delivery.pk) == "failed"
    assert Delivery.objects.get(pk=delivery.pk).last_error


def test_the_console_sms_gateway_logs(ngo_admin, caplog):
    delivery = DeliveryFactory(user=ngo_admin, channel="sms", status="pending", address="138")
    with caplog.at_level("INFO", logger="tongzhou.alerts.sms"):
        assert engine.deliver(delivery.pk) == "sent"
    assert "138" in caplog.text


def test_delivery_error_knows_if_it_is_permanent():
    assert DeliveryError("x", permanent=True).permanent
    assert not DeliveryError("x").permanent
