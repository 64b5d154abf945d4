"""Delivery receipts pushed by the SMS providers update the delivery row."""

import json

import pytest
from django.utils import timezone

from alerts.models import Delivery
from tests.alerts.factories import DeliveryFactory

pytestmark = pytest.mark.django_db

SECRET = "receipt-secret-0123456789"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.TONGZHOU_SMS_RECEIPT_SECRET = SECRET


def url(provider: str, token: str = SECRET) -> str:
    return f"/api/v1/sms/receipts/{provider}/{token}/"


def post(client, provider, body, token=SECRET):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body, ensure_ascii=False)
    return client.post(url(provider, token), data=data, content_type="application/json")


def sent_sms(**extra):
    return DeliveryFactory(
        channel="sms", status="sent", address="13800000001", sent_at=timezone.now(), **extra
    )


def aliyun_report(delivery, success=True, **extra):
    return {
        "phone_number": "13800000001",
        "send_time": "2026-12-01 10:00:00",
        "report_time": "2026-12-01 10:00:05",
        "success": success,
        "err_code": "DELIVERED" if success else "MK:0004",
        "err_msg": "用户接收成功" if success else "用户停机",
        "sms_size": "1",
        "biz_id": delivery.provider_ref,
        "out_id": f"{delivery.alert_id}-{delivery.pk}",
        **extra,
    }


def tencent_report(delivery, status="SUCCESS"):
    return {
        "user_receive_time": "2026-12-01 10:00:05",
        "nationcode": "86",
        "mobile": "13800000001",
        "report_status": status,
        "errmsg": "DELIVRD" if status == "SUCCESS" else "MK:0012",
        "description": "用户短信送达成功" if status == "SUCCESS" else "空号",
        "sid": delivery.provider_ref,
    }


def test_aliyun_receipts_mark_delivered_and_failed_and_repeat_harmlessly(client):
    ok, bad = sent_sms(provider_ref="biz-1"), sent_sms(provider_ref="biz-2")
    body = [aliyun_report(ok), aliyun_report(bad, success=False)]
    response = post(client, "aliyun", body)
    assert response.status_code == 200 and response.json() == {"code": 0, "msg": "成功"}
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert ok.status == "sent" and ok.delivered_at is not None
    assert bad.status == "failed" and "MK:0004" in bad.last_error
    first_delivered = ok.delivered_at
    # the provider pushes the same receipts again: nothing changes
    assert post(client, "aliyun", body).status_code == 200
    ok.refresh_from_db()
    assert ok.delivered_at == first_delivered
    # a later success receipt does not revive a failed row
    assert post(client, "aliyun", [aliyun_report(bad)]).status_code == 200
    bad.refresh_from_db()
    assert bad.status == "failed" and bad.delivered_at is None


def test_aliyun_receipt_finds_the_row_by_biz_id_without_out_id(client):
    row = sent_sms(provider_ref="biz-9")
    assert post(client, "aliyun", [aliyun_report(row, out_id="")]).status_code == 200
    row.refresh_from_db()
    assert row.delivered_at is not None


def test_a_failure_receipt_that_beats_the_workers_status_write_fails_the_row(client):
    row = DeliveryFactory(channel="sms", status="sending", address="138", provider_ref="")
    assert post(client, "aliyun", [aliyun_report(row, success=False)]).status_code == 200
    row.refresh_from_db()
    assert row.status == "failed"


def test_tencent_receipts_by_serial_number(client):
    ok, bad = sent_sms(provider_ref="sid-1"), sent_sms(provider_ref="sid-2")
    response = post(client, "tencent", [tencent_report(ok), tencent_report(bad, "FAIL")])
    assert response.status_code == 200 and response.json() == {"result": 0, "errmsg": "OK"}
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert ok.delivered_at is not None and bad.status == "failed" and "空号" in bad.last_error


def test_receipts_touch_only_sms_rows(client):
    webhook_row = DeliveryFactory(channel="in_app", status="sent", provider_ref="sid-7")
    assert post(client, "tencent", [tencent_report(webhook_row, "FAIL")]).status_code == 200
    webhook_row.refresh_from_db()
    assert webhook_row.status == "sent"


def test_an_unknown_receipt_is_acknowledged_and_ignored(client):
    row = sent_sms(provider_ref="sid-x")
    report = tencent_report(row)
    report["sid"] = "sid-unknown"
    assert post(client, "tencent", [report]).status_code == 200
    # an out_id whose alert does not match the delivery's is not that delivery
    forged = aliyun_report(row, out_id=f"{row.alert_id + 1}-{row.pk}", biz_id="")
    assert post(client, "aliyun", [forged]).status_code == 200
    assert Delivery.objects.filter(delivered_at__isnull=False).count() == 0


@pytest.mark.parametrize(
    ("provider", "body", "message"),
    [
        ("aliyun", b"not json", "not JSON"),
        ("aliyun", [], "list"),
        ("aliyun", [{"out_id": "1-2"}], "success"),
        ("aliyun", [{"success": True}], "out_id"),
        ("tencent", [{"report_status": "SUCCESS"}], "sid"),
        ("tencent", [{"sid": "s", "report_status": "MAYBE"}], "report_status"),
        ("tencent", ["x"], "list"),
    ],
)
def test_malformed_receipts_are_a_400_and_write_nothing(client, provider, body, message):
    row = sent_sms(provider_ref="s")
    good = aliyun_report(row) if provider == "aliyun" else tencent_report(row)
    if isinstance(body, list) and body:
        body = [good, *body]  # a valid report first: nothing half-written
    response = post(client, provider, body)
    assert response.status_code == 400 and message in response.json()["detail"]
    row.refresh_from_db()
    assert row.delivered_at is None


def test_a_wrong_secret_is_403_and_no_secret_turns_receipts_off(client, settings):
    row = sent_sms(provider_ref="sid-1")
    assert (
        post(client, "tencent", [tencent_report(row)], token="wrong-secret-0000000").status_code
        == 403
    )
    settings.TONGZHOU_SMS_RECEIPT_SECRET = ""
    assert post(client, "tencent", [tencent_report(row)], token="").status_code == 404
    assert client.get(url("tencent")).status_code in (404, 405)
    assert post(client, "pigeon", []).status_code == 404
    row.refresh_from_db()
    assert row.delivered_at is None
