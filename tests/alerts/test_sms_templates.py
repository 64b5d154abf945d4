"""SMS templates: seeded per alert type, rendered within the providers' per-variable limits,
the register()/Template API kept for callers."""

import pytest

from alerts import delivery as engine
from alerts import sms
from alerts.models import SmsTemplate
from tests.alerts.factories import AlertFactory, DeliveryFactory

pytestmark = pytest.mark.django_db

ALERT_TYPES = {"mobilization", "assignment", "approval", "deadline", "digest", "manual"}


def test_the_migration_seeds_an_active_chinese_template_per_alert_type():
    rows = SmsTemplate.objects.filter(active=True).exclude(alert_type="")
    assert set(rows.values_list("alert_type", flat=True)) == ALERT_TYPES
    for row in rows:
        template = sms.Template.from_row(row)
        assert template.variables and "title" in template.variables
        assert "同舟" in row.text and "【" not in row.text  # the signature is added, never typed


def test_variables_are_cut_on_code_points_never_splitting_a_surrogate():
    assert sms.limit_value("𠀀" * 40, 35) == "𠀀" * 34 + "…"
    assert sms.limit_value("  芦山\n 地震 ", 35) == "芦山 地震"
    assert sms.limit_value("短", 1) == "短"
    assert sms.limit_value("超长", 1) == "…"
    assert sms.limit_value(12, None) == "12"


def test_a_template_renders_its_variables_with_the_signature(settings):
    settings.TONGZHOU_SMS_SIGNATURE = "【同舟应急】"
    template = sms.Template("t", "${level}预警：${title}。${level}")
    assert template.variables == ["level", "title"]
    assert (
        template.render({"level": "红色", "title": "暴雨", "extra": "x"})
        == "【同舟应急】红色预警：暴雨。红色"
    )
    assert (
        template.render({"level": "红色", "title": "四川" * 10}, limit=5)
        == "【同舟应急】红色预警：四川四川…。红色"
    )
    with pytest.raises(KeyError):
        template.render({"level": "红色"})


def test_register_keeps_the_legacy_brace_syntax_and_rows_override_code():
    legacy = sms.register("legacy_test", "您好{name}，编号{code}")
    assert legacy.text == "您好${name}，编号${code}" and legacy.variables == ["name", "code"]
    assert sms.find("legacy_test") == legacy
    SmsTemplate.objects.create(code="legacy_test", text="新的措辞${name}")
    assert sms.find("legacy_test").text == "新的措辞${name}"
    SmsTemplate.objects.filter(code="legacy_test").update(active=False)
    assert sms.find("legacy_test") == legacy
    assert sms.find("nope") is None
    del sms.TEMPLATES["legacy_test"]


def test_the_donation_trace_template_stays_registered_for_its_callers():
    assert sms.DONATION_TRACE.render({"org": "壹基金", "code": "A1", "url": "u"}).endswith(
        "您向壹基金的捐赠已登记，追溯码A1，查询：u"
    )


def test_console_and_http_gateways_still_send_free_text_cut_to_segments(caplog):
    delivery = DeliveryFactory(
        alert=AlertFactory(title="地" * 100, body="震" * 200),
        channel="sms",
        status="pending",
        address="138",
    )
    with caplog.at_level("INFO", logger="tongzhou.alerts.sms"):
        assert engine.deliver(delivery.pk) == "sent"
    text = caplog.records[-1].getMessage().split(": ", 1)[1]
    assert sms.segments(text) <= 3 and text.endswith("…")


def test_a_batch_looks_its_templates_up_in_fixed_queries(settings, django_assert_max_num_queries):
    settings.TONGZHOU_SMS_BACKEND = "aliyun"
    settings.TONGZHOU_SMS_ALIYUN_ENDPOINT = "http://127.0.0.1:9/"  # unreachable: retried

    def batch(n):
        return [
            DeliveryFactory(alert=AlertFactory(), channel="sms", status="pending", address="138")
            for _ in range(n)
        ]

    SmsTemplate.objects.filter(code="manual_alert").update(aliyun_template_code="SMS_1")
    small, large = batch(2), batch(20)
    with django_assert_max_num_queries(100) as few:
        engine.deliver_batch([d.pk for d in small])
    with django_assert_max_num_queries(100) as many:
        engine.deliver_batch([d.pk for d in large])
    # a fixed part (claim, read, one template lookup), then exactly one outcome write per row
    fixed = len(few.captured_queries) - 2
    assert fixed <= 4
    assert len(many.captured_queries) == fixed + 20


def test_operators_manage_templates_in_the_admin(client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("ops", "ops@example.org", "pw-0123456789")
    client.force_login(admin)
    listing = client.get("/admin/alerts/smstemplate/")
    assert listing.status_code == 200 and "manual_alert" in listing.content.decode()
    row = SmsTemplate.objects.get(code="manual_alert")
    assert client.get(f"/admin/alerts/smstemplate/{row.pk}/change/").status_code == 200


def test_phone_numbers_take_each_providers_format():
    from alerts.providers import aliyun, tencent

    assert aliyun.phone_number("+86 138-0000-0001") == "13800000001"
    assert aliyun.phone_number("+85291234567") == "85291234567"
    assert tencent.e164("138 0000 0001") == "+8613800000001"
    assert tencent.e164("8613800000001") == "+8613800000001"
    assert tencent.e164("+85291234567") == "+85291234567"
