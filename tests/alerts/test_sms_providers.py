"""Alibaba Cloud and Tencent Cloud SMS against local fakes of their APIs on 127.0.0.1.

Each fake checks what the real provider checks — the request signature (recomputed here from
the providers' documentation, independently of alerts.providers), the access key, the
approved template id and signature name, the variables (names / count and per-variable
length) — and answers with the provider's success or error codes, which must come out as a
sent, retried or failed delivery.
"""

import base64
import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote

import pytest
from django.core.exceptions import ValidationError

from alerts import delivery as engine
from alerts import services, sms
from alerts.models import Delivery, SmsTemplate
from alerts.providers import http as pooled
from tests.alerts.factories import AlertFactory, DeliveryFactory

pytestmark = pytest.mark.django_db

ALIYUN_KEY, ALIYUN_SECRET = "LTAI-test-key", "aliyun-secret-0123456789"
TENCENT_ID, TENCENT_KEY, TENCENT_APP = "AKID-test", "tencent-secret-0123456789", "1400000001"
SIGN_NAME = "同舟应急"
BLACKLISTED, INVALID, THROTTLED = "13900000001", "1390000", "13900000003"


class FakeProvider:
    """A threaded HTTP server; ``handle(headers, body) -> (status, json)`` is the provider."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.peers: set[int] = set()  # client ports: one per TCP connection
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs
            disable_nagle_algorithm = True

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.peers.add(self.client_address[1])
                status, answer = fake.handle(dict(self.headers), body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeAliyun(FakeProvider):
    templates = {
        "SMS_0001": ["level", "title"],
        "SMS_0002": ["org", "code", "url"],
        "SMS_0003": ["count", "title"],
    }

    def handle(self, headers, body):
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        with self.lock:
            self.requests.append(form)
        signature = form.pop("Signature", "")
        canonical = "&".join(
            f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(form.items())
        )
        to_sign = "POST&%2F&" + quote(canonical, safe="~")
        expected = base64.b64encode(
            hmac.new(f"{ALIYUN_SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if form.get("AccessKeyId") != ALIYUN_KEY:
            return 404, {"Code": "InvalidAccessKeyId.NotFound"}
        if signature != expected:
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature..."}
        assert form["Action"] == "SendSms" and form["Version"] == "2017-05-25"
        assert form["SignatureMethod"] == "HMAC-SHA1" and form["SignatureVersion"] == "1.0"
        if form["SignName"] != SIGN_NAME:
            return 200, {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "签名不合法"}
        variables = self.templates.get(form["TemplateCode"])
        if variables is None:
            return 200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"}
        params = json.loads(form["TemplateParam"])
        if sorted(params) != sorted(variables):
            return 200, {"Code": "isv.TEMPLATE_MISSING_PARAMETERS", "Message": "模板缺少变量"}
        if any(len(v) > 35 for v in params.values()):
            return 200, {"Code": "isv.PARAM_LENGTH_LIMIT", "Message": "参数超出长度限制"}
        phone = form["PhoneNumbers"]
        if phone == BLACKLISTED:
            return 200, {"Code": "isv.BLACK_KEY_CONTROL_LIMIT", "Message": "黑名单管控"}
        if phone == THROTTLED:
            return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "业务限流"}
        if len(phone) != 11:
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz-{form['OutId']}"}


class FakeTencent(FakeProvider):
    templates = {"100001": 2, "100002": 3}

    def handle(self, headers, body):
        headers = {k.lower(): v for k, v in headers.items()}
        payload = json.loads(body)
        with self.lock:
            self.requests.append({"headers": headers, "body": payload})
        timestamp = headers["x-tc-timestamp"]
        date = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")
        canonical = (
            f"POST\n/\n\ncontent-type:{headers['content-type']}\nhost:{headers['host']}\n\n"
            f"content-type;host\n{hashlib.sha256(body).hexdigest()}"
        )
        to_sign = (
            f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n"
            f"{hashlib.sha256(canonical.encode()).hexdigest()}"
        )
        key = ("TC3" + TENCENT_KEY).encode()
        for part in (date, "sms", "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = (
            f"TC3-HMAC-SHA256 Credential={TENCENT_ID}/{date}/sms/tc3_request, "
            "SignedHeaders=content-type;host, Signature="
            + hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        )

        def error(code):
            return 200, {"Response": {"Error": {"Code": code, "Message": code}, "RequestId": "r"}}

        if headers.get("authorization") != expected:
            return error("AuthFailure.SignatureFailure")
        assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"
        if payload["SmsSdkAppId"] != TENCENT_APP:
            return error("FailedOperation.SmsSdkAppIdVerifyFail")
        if payload["SignName"] != SIGN_NAME:
            return error("FailedOperation.SignatureIncorrectOrUnapproved")
        count = self.templates.get(payload["TemplateId"])
        if count is None:
            return error("FailedOperation.TemplateIncorrectOrUnapproved")
        values = payload["TemplateParamSet"]
        if len(values) != count:
            return error("InvalidParameterValue.TemplateParameterFormatError")
        if any(len(v) > 12 for v in values):
            return error("InvalidParameterValue.TemplateParameterLengthLimit")
        phone = payload["PhoneNumberSet"][0]
        code = {
            "+86" + BLACKLISTED: "FailedOperation.PhoneNumberInBlacklist",
            "+86" + THROTTLED: "LimitExceeded.PhoneNumberThirtySecondLimit",
            "+86" + INVALID: "InvalidParameterValue.IncorrectPhoneNumber",
        }.get(phone, "Ok")
        status = {
            "SerialNo": f"sid-{payload['SessionContext']}",
            "PhoneNumber": phone,
            "SessionContext": payload["SessionContext"],
            "Code": code,
            "Message": "send success" if code == "Ok" else code,
        }
        return 200, {"Response": {"SendStatusSet": [status], "RequestId": "r"}}


@pytest.fixture
def templates(db):
    SmsTemplate.objects.filter(code="manual_alert").update(
        aliyun_template_code="SMS_0001", tencent_template_id="100001", signature="【同舟应急】"
    )
    SmsTemplate.objects.filter(code="donation_trace").update(
        aliyun_template_code="SMS_0002", tencent_template_id="100002", signature="【同舟应急】"
    )


@pytest.fixture
def fake_aliyun(settings, templates):
    fake = FakeAliyun()
    settings.TONGZHOU_SMS_BACKEND = "aliyun"
    settings.TONGZHOU_SMS_ALIYUN_ACCESS_KEY_ID = ALIYUN_KEY
    settings.TONGZHOU_SMS_ALIYUN_ACCESS_KEY_SECRET = ALIYUN_SECRET
    settings.TONGZHOU_SMS_ALIYUN_ENDPOINT = fake.url
    yield fake
    pooled.reset()
    fake.close()


@pytest.fixture
def fake_tencent(settings, templates):
    fake = FakeTencent()
    settings.TONGZHOU_SMS_BACKEND = "tencent"
    settings.TONGZHOU_SMS_TENCENT_SECRET_ID = TENCENT_ID
    settings.TONGZHOU_SMS_TENCENT_SECRET_KEY = TENCENT_KEY
    settings.TONGZHOU_SMS_TENCENT_SDK_APP_ID = TENCENT_APP
    settings.TONGZHOU_SMS_TENCENT_ENDPOINT = fake.url
    yield fake
    pooled.reset()
    fake.close()


def sms_delivery(phone="13800000001", **alert):
    alert = AlertFactory(level=alert.pop("level", "red"), **alert)
    return DeliveryFactory(alert=alert, channel="sms", status="pending", address=phone)


def test_aliyun_sends_the_alert_type_template_signed_with_the_delivery_key(fake_aliyun):
    delivery = sms_delivery(title="芦山县6.1级地震")
    assert engine.deliver(delivery.pk) == "sent"
    form = fake_aliyun.requests[-1]
    assert form["TemplateCode"] == "SMS_0001" and form["SignName"] == SIGN_NAME
    assert json.loads(form["TemplateParam"]) == {"level": "红色", "title": "芦山县6.1级地震"}
    assert form["PhoneNumbers"] == "13800000001"
    assert form["OutId"] == f"{delivery.alert_id}-{delivery.pk}"
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.provider_ref == f"biz-{form['OutId']}"


def test_aliyun_variables_are_cut_to_35_characters_with_an_ellipsis(fake_aliyun):
    delivery = sms_delivery(title="四川省雅安市芦山县龙门乡" * 5 + "𠀀")
    assert engine.deliver(delivery.pk) == "sent"
    title = json.loads(fake_aliyun.requests[-1]["TemplateParam"])["title"]
    assert len(title) == 35 and title.endswith("…")


def test_aliyun_sends_a_contact_template_with_its_parameters(
    fake_aliyun, ngo, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="url"):
        services.notify_contact(
            title="t",
            template="donation_trace",
            params={"org": "甲", "code": "1"},
            channel="sms",
            address="13800000002",
            organization_id=ngo.pk,
        )
    with django_capture_on_commit_callbacks(execute=True):
        alert = services.notify_contact(
            title="捐赠已登记",
            template="donation_trace",
            params={"org": "壹基金", "code": "TZ-0001", "url": "https://tz.example/t/1"},
            channel="sms",
            address="13800000002",
            organization_id=ngo.pk,
        )
    form = fake_aliyun.requests[-1]
    assert form["TemplateCode"] == "SMS_0002"
    assert json.loads(form["TemplateParam"])["code"] == "TZ-0001"
    assert alert.deliveries.get().status == "sent"


@pytest.mark.parametrize(
    ("phone", "status", "error"),
    [
        (BLACKLISTED, "failed", "isv.BLACK_KEY_CONTROL_LIMIT"),
        (INVALID, "failed", "isv.MOBILE_NUMBER_ILLEGAL"),
        (THROTTLED, "pending", "isv.BUSINESS_LIMIT_CONTROL"),
    ],
)
def test_aliyun_error_codes_are_permanent_or_transient(fake_aliyun, phone, status, error):
    delivery = sms_delivery(phone=phone)
    engine.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == status and error in delivery.last_error


def test_aliyun_refuses_an_unapproved_template_and_a_wrong_secret(fake_aliyun, settings):
    SmsTemplate.objects.filter(code="manual_alert").update(aliyun_template_code="SMS_9999")
    first = sms_delivery()
    assert engine.deliver(first.pk) == "failed"
    first.refresh_from_db()
    assert "isv.SMS_TEMPLATE_ILLEGAL" in first.last_error
    SmsTemplate.objects.filter(code="manual_alert").update(aliyun_template_code="SMS_0001")
    settings.TONGZHOU_SMS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    second = sms_delivery()
    assert engine.deliver(second.pk) == "retry"  # a platform misconfiguration: retried
    second.refresh_from_db()
    assert "SignatureDoesNotMatch" in second.last_error


def test_a_template_without_a_provider_id_or_an_alert_type_without_template_fails(fake_aliyun):
    SmsTemplate.objects.filter(code="manual_alert").update(aliyun_template_code="")
    delivery = sms_delivery()
    assert engine.deliver(delivery.pk) == "failed"
    SmsTemplate.objects.filter(code="manual_alert").update(active=False)
    other = sms_delivery()
    assert engine.deliver(other.pk) == "failed"
    other.refresh_from_db()
    assert "no active SMS template" in other.last_error
    assert fake_aliyun.requests == []


def test_a_provider_that_does_not_answer_is_retried(fake_aliyun, settings):
    settings.TONGZHOU_SMS_ALIYUN_ENDPOINT = "http://127.0.0.1:9/"
    delivery = sms_delivery()
    assert engine.deliver(delivery.pk) == "retry"


def test_tencent_sends_template_params_in_order_with_the_session_context(fake_tencent):
    delivery = sms_delivery(title="泸定县地震")
    assert engine.deliver(delivery.pk) == "sent"
    request = fake_tencent.requests[-1]
    assert request["body"]["TemplateId"] == "100001"
    assert request["body"]["TemplateParamSet"] == ["红色", "泸定县地震"]
    assert request["body"]["PhoneNumberSet"] == ["+8613800000001"]
    key = f"{delivery.alert_id}-{delivery.pk}"
    assert request["body"]["SessionContext"] == key
    delivery.refresh_from_db()
    assert delivery.provider_ref == f"sid-{key}"


def test_tencent_variables_are_cut_to_12_characters(fake_tencent):
    delivery = sms_delivery(title="四川省甘孜藏族自治州泸定县磨西镇")
    assert engine.deliver(delivery.pk) == "sent"
    title = fake_tencent.requests[-1]["body"]["TemplateParamSet"][1]
    assert len(title) == 12 and title.endswith("…")


@pytest.mark.parametrize(
    ("phone", "status", "error"),
    [
        (BLACKLISTED, "failed", "FailedOperation.PhoneNumberInBlacklist"),
        (INVALID, "failed", "InvalidParameterValue.IncorrectPhoneNumber"),
        (THROTTLED, "pending", "LimitExceeded.PhoneNumberThirtySecondLimit"),
    ],
)
def test_tencent_error_codes_are_permanent_or_transient(fake_tencent, phone, status, error):
    delivery = sms_delivery(phone=phone)
    engine.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == status and error in delivery.last_error


def test_tencent_wrong_signature_and_unapproved_template(fake_tencent, settings):
    SmsTemplate.objects.filter(code="manual_alert").update(signature="【别的签名】")
    first = sms_delivery()
    assert engine.deliver(first.pk) == "failed"
    first.refresh_from_db()
    assert "SignatureIncorrectOrUnapproved" in first.last_error
    settings.TONGZHOU_SMS_TENCENT_SECRET_KEY = "wrong"
    second = sms_delivery()
    assert engine.deliver(second.pk) == "retry"


def test_sms_requests_reuse_one_pooled_connection(fake_aliyun):
    deliveries = [sms_delivery(phone=f"1380000{i:04d}") for i in range(5)]
    assert engine.deliver_batch([d.pk for d in deliveries]) == {"skipped": 0, "sent": 5}
    assert Delivery.objects.filter(status="sent").count() == 5
    assert len(fake_aliyun.requests) == 5
    assert len(fake_aliyun.peers) == 1  # five requests, one keep-alive TCP connection


def test_the_signature_setting_is_the_default_sign_name(settings):
    settings.TONGZHOU_SMS_SIGNATURE = "【同舟应急】"
    assert sms.sign_name(None) == "同舟应急"
    assert sms.sign_name(sms.Template("x", "t", signature="【别处】")) == "别处"


def test_an_hourly_sms_digest_goes_out_as_the_digest_template(fake_aliyun, ngo_admin):
    SmsTemplate.objects.filter(code="hourly_digest").update(
        aliyun_template_code="SMS_0003", signature="【同舟应急】"
    )
    for n in range(3):
        DeliveryFactory(
            alert=AlertFactory(level="blue", title=f"蓝色预警{n}"),
            user=ngo_admin,
            channel="sms",
            status="pending",
            digest=True,
            address="13800000001",
        )
    sent = engine.send_digests()
    assert sent == 1, list(Delivery.objects.values_list("status", "last_error"))
    (form,) = fake_aliyun.requests
    assert form["TemplateCode"] == "SMS_0003"
    assert json.loads(form["TemplateParam"]) == {"count": "3", "title": "蓝色预警2"}
    rows = Delivery.objects.filter(digest=True)
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert set(rows.values_list("provider_ref", flat=True)) == {f"biz-{form['OutId']}"}
