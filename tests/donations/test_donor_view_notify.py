"""Telling the donor their trace code: only with consent, through the alerts outbox, with the
registered SMS template; the contact never reaches the chain, the export or the audit trail."""

import json
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from alerts import sms
from alerts.models import Alert, Delivery
from core.models import AuditEvent
from donations import notify, services
from tests.alerts.stub import Stub
from tests.donations import factories as df

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.TONGZHOU_SMS_BACKEND = "console"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TONGZHOU_PUBLIC_URL = "https://tongzhou.example.cn"


@pytest.fixture
def gateway(settings):
    server = Stub()
    settings.TONGZHOU_SMS_BACKEND = "http"
    settings.TONGZHOU_SMS_URL = server.url
    settings.TONGZHOU_SMS_KEY = "gateway-key"
    yield server
    server.close()


def record(client, org, **fields):
    body = {
        "form": "receipt",
        "r-donor_name": "张三",
        "r-donor_kind": "individual",
        "r-channel": "bank_transfer",
        "r-amount": "500.00",
        "r-donor_phone": "139 0000 0001",
        **fields,
    }
    return client.post(reverse("donations:workspace", args=[org.pk]), body, follow=True)


def test_with_consent_the_donor_gets_the_registered_sms_template(
    client, charity, charity_admin, gateway, django_capture_on_commit_callbacks
):
    client.force_login(charity_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = record(client, charity, **{"r-notify_sms": "on", "r-notify_consent": "on"})
    entry = charity.ledger_entries.get()
    url = f"https://tongzhou.example.cn/ledger/trace/?code={entry.trace_code}"
    sent = gateway.json()
    assert sent["to"] == "13900000001"
    assert sent["text"] == (
        f"【同舟】您向四川同舟公益基金会的捐赠已登记，追溯码{entry.trace_code}，查询：{url}"
    )
    assert sent["template"] == "donation_trace"
    assert sent["params"] == {"org": "四川同舟公益基金会", "code": entry.trace_code, "url": url}
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.organization_id == charity.pk
    assert "追溯码正通过短信发送给捐赠人" in response.content.decode()
    html = client.get(f"/ledger/receipts/{entry.trace_code}/").content.decode()
    notices = html.split('data-testid="notices"')[1]
    assert "短信" in notices and "已发送" in notices


def test_without_consent_nothing_is_written_or_sent(
    client, charity, charity_admin, gateway, django_capture_on_commit_callbacks
):
    client.force_login(charity_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = record(
            client, charity, **{"r-notify_sms": "on", "r-donor_email": "zhang@example.cn"}
        )
    entry = charity.ledger_entries.get()  # the receipt itself is recorded
    assert response.redirect_chain[-1][0] == f"/ledger/receipts/{entry.trace_code}/"
    assert "追溯码未发送" in response.content.decode()
    assert not Alert.objects.exists() and not Delivery.objects.exists()
    assert gateway.requests == [] and mail.outbox == []
    assert not AuditEvent.objects.filter(action=notify.SENT).exists()


def test_a_receipt_recorded_without_asking_sends_nothing(
    client, charity, charity_admin, django_capture_on_commit_callbacks
):
    client.force_login(charity_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = record(client, charity)
    assert not Alert.objects.exists()
    assert "追溯码未发送" not in response.content.decode()


def test_by_email_with_consent_the_address_stays_on_the_outbox_row_only(
    client, charity, charity_admin, django_capture_on_commit_callbacks
):
    client.force_login(charity_admin)
    with django_capture_on_commit_callbacks(execute=True):
        record(
            client,
            charity,
            **{"r-donor_email": "zhang@example.cn", "r-notify_consent": "on"},
        )
    entry = charity.ledger_entries.get()
    [message] = mail.outbox
    assert message.to == ["zhang@example.cn"]
    assert message.subject == "您的捐赠追溯码"
    assert entry.trace_code in message.body and "/ledger/trace/?code=" in message.body
    event = AuditEvent.objects.get(action=notify.SENT)
    assert event.data["channels"] == ["email"] and event.data["consent"] is True
    assert "zhang@example.cn" not in json.dumps(event.data)
    export = client.get("/api/v1/ledger/export.jsonl")
    text = b"".join(export.streaming_content).decode()
    assert "zhang@example.cn" not in text and "13900000001" not in text


def test_sms_and_email_together(charity, charity_admin, django_capture_on_commit_callbacks):
    entry = df.receipt(charity, charity_admin, donor_phone="+86 139-0000-0001")
    with django_capture_on_commit_callbacks(execute=True):
        channels = notify.send_trace_code(
            entry=entry, by=charity_admin, consent=True, sms=True, email="zhang@example.cn"
        )
    assert channels == ["sms", "email"]
    assert sorted(Delivery.objects.values_list("channel", "address")) == [
        ("email", "zhang@example.cn"),
        ("sms", "13900000001"),
    ]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_only_members_of_the_recording_organization_may_send(
    charity, charity_admin, other_ngo_admin, official
):
    entry = df.receipt(charity, charity_admin, donor_phone="13900000001")
    for outsider in (other_ngo_admin, official):
        with pytest.raises(PermissionDenied):
            notify.send_trace_code(entry=entry, by=outsider, consent=True, sms=True)
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("phone", "kwargs", "field"),
    [
        ("13900000001", {"consent": False, "sms": True}, "consent"),
        ("13900000001", {"consent": True}, "channel"),
        ("", {"consent": True, "sms": True}, "sms"),
        ("028-8888888", {"consent": True, "sms": True}, "sms"),
        ("13900000001", {"consent": True, "email": "not-an-address"}, "email"),
    ],
)
def test_refusals_name_what_is_missing(charity, charity_admin, phone, kwargs, field):
    entry = df.receipt(charity, charity_admin, donor_phone=phone)
    with pytest.raises(ValidationError) as refused:
        notify.send_trace_code(entry=entry, by=charity_admin, **kwargs)
    assert field in refused.value.message_dict
    assert not Alert.objects.exists()


def test_only_a_receipt_has_a_trace_code_to_send(charity, charity_admin):
    df.receipt(charity, charity_admin)
    out = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(5), purpose="饮水"
    )
    with pytest.raises(ValidationError):
        notify.send_trace_code(entry=out, by=charity_admin, consent=True, sms=True)


def test_after_the_purge_there_is_no_phone_to_send_to(charity, charity_admin):
    entry = df.receipt(charity, charity_admin, donor_phone="13900000001")
    services.purge_private(entry=entry)
    with pytest.raises(ValidationError) as refused:
        notify.send_trace_code(entry=entry, by=charity_admin, consent=True, sms=True)
    assert "sms" in refused.value.message_dict


def test_a_gateway_outage_is_retried_by_the_outbox(
    charity, charity_admin, settings, django_capture_on_commit_callbacks
):
    server = Stub(status=503)
    settings.TONGZHOU_SMS_BACKEND = "http"
    settings.TONGZHOU_SMS_URL = server.url
    settings.TONGZHOU_SMS_KEY = "gateway-key"
    try:
        entry = df.receipt(charity, charity_admin, donor_phone="13900000001")
        with django_capture_on_commit_callbacks(execute=True):
            notify.send_trace_code(entry=entry, by=charity_admin, consent=True, sms=True)
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
        assert "503" in delivery.last_error
    finally:
        server.close()


def test_the_template_is_registered_and_sent_whole():
    template = sms.TEMPLATES["donation_trace"]
    params = {"org": "基" * 60, "code": "ABCD-EFGH-JKMN", "url": "https://x.cn/t/?code=A"}
    text = template.render(params)
    assert text.startswith("【同舟】您向") and text.endswith(params["url"])
    assert "…" not in text
    with pytest.raises(KeyError):
        template.render({"org": "x"})


def test_an_unregistered_template_fails_the_delivery_for_good(
    charity, charity_admin, django_capture_on_commit_callbacks
):
    from alerts import delivery as engine

    entry = df.receipt(charity, charity_admin, donor_phone="13900000001")
    notify.send_trace_code(entry=entry, by=charity_admin, consent=True, sms=True)
    Alert.objects.update(template="retired")
    row = Delivery.objects.get()
    assert engine.deliver(row.pk) == "failed"
    row.refresh_from_db()
    assert "not registered" in row.last_error


def test_the_notices_read_costs_three_queries(charity, charity_admin, django_assert_num_queries):
    entry = df.receipt(charity, charity_admin, donor_phone="13900000001")
    for _ in range(4):
        notify.send_trace_code(entry=entry, by=charity_admin, consent=True, sms=True)
    with django_assert_num_queries(3):
        rows = notify.notices(entry)
    assert len(rows) == 4


def test_the_charity_sends_the_trace_code_later_from_the_receipt_page(
    client, charity, charity_admin, django_capture_on_commit_callbacks
):
    entry = df.receipt(charity, charity_admin, donor_phone="13900000001")
    client.force_login(charity_admin)
    url = reverse("donations:receipt_send", args=[entry.trace_code])
    response = client.post(url, {"sms": "on", "email": "zhang@example.cn"}, follow=True)
    assert "只有在捐赠人同意接收时才能发送追溯码" in response.content.decode()
    assert not Alert.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"sms": "on", "email": "zhang@example.cn", "consent": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/ledger/receipts/{entry.trace_code}/"
    html = client.get(response["Location"]).content.decode()
    assert "追溯码正通过短信和电子邮件发送给捐赠人" in html
    notices = html.split('data-testid="notices"')[1]
    assert notices.count("已发送") == 2 and "zhang@example.cn" not in notices
    assert len(mail.outbox) == 1


def test_the_receipt_page_form_refuses_outsiders_and_bad_input(
    client, charity, charity_admin, other_ngo_admin
):
    entry = df.receipt(charity, charity_admin, donor_phone="13900000001")
    url = reverse("donations:receipt_send", args=[entry.trace_code])
    assert client.post(url, {"sms": "on", "consent": "on"})["Location"].startswith(
        "/accounts/login/"
    )
    client.force_login(other_ngo_admin)
    response = client.post(url, {"sms": "on", "consent": "on"}, follow=True)
    [message] = list(response.context["messages"])
    assert "refused" in message.tags
    client.force_login(charity_admin)
    response = client.post(url, {"email": "x" * 300, "consent": "on"}, follow=True)
    assert "请检查表单" in response.content.decode()
    assert client.get(url).status_code == 405
    assert client.post("/ledger/receipts/NOPE-NOPE-NOPE/send/").status_code == 404
    assert not Alert.objects.exists()


def test_the_api_twin_sends_with_consent_only(
    api, charity, charity_admin, other_ngo_admin, django_capture_on_commit_callbacks
):
    entry = df.receipt(charity, charity_admin, donor_phone="13900000001")
    url = f"/api/v1/ledger/entries/{entry.pk}/send-trace-code/"
    assert api().post(url, {"consent": True, "sms": True}, format="json").status_code == 403
    refused = api(other_ngo_admin).post(url, {"consent": True, "sms": True}, format="json")
    assert refused.status_code == 403
    member = api(charity_admin)
    missing = member.post(url, {"sms": True}, format="json")
    assert missing.status_code == 400 and "consent" in missing.json()
    declined = member.post(url, {"sms": True, "consent": False}, format="json")
    assert declined.status_code == 400 and "consent" in declined.json()
    typo = member.post(url, {"consent": True, "smss": True}, format="json")
    assert typo.status_code == 400 and "smss" in typo.json()
    assert member.post("/api/v1/ledger/entries/999/send-trace-code/", {}).status_code == 404
    assert not Alert.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = member.post(url, {"consent": True, "sms": True}, format="json")
    assert sent.status_code == 202 and sent.json() == {"channels": ["sms"]}
    assert Delivery.objects.get().status == Delivery.Status.SENT


@pytest.mark.parametrize(
    ("template", "channel", "field"),
    [("retired", "sms", "template"), ("donation_trace", "webhook", "channel")],
)
def test_notify_contact_refuses_unregistered_templates_and_other_channels(
    charity, template, channel, field
):
    from alerts.services import notify_contact

    with pytest.raises(ValidationError) as refused:
        notify_contact(
            title="追溯码",
            template=template,
            params={"org": "x", "code": "y", "url": "z"},
            channel=channel,
            address="13900000001",
            organization_id=charity.pk,
        )
    assert field in refused.value.message_dict
    assert not Alert.objects.exists()
