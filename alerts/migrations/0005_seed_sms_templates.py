"""One SMS template per alert type (and the donation trace message), in the wording submitted
to the providers for approval. Provider ids stay empty until the providers approve them; an
operator enters them in the admin. Existing rows (same code) are left alone."""

from django.db import migrations

TEMPLATES = [
    (
        "mobilization",
        "mobilization_alert",
        "${level}预警：${title}。请按预案集结待命，详情请登录同舟平台查看。",
    ),
    ("assignment", "assignment_new", "您的队伍有新任务：${title}。请尽快登录同舟平台确认。"),
    ("approval", "approval_result", "您提交的事项有新的审批结果：${title}。请登录同舟平台查看。"),
    ("deadline", "deadline_reminder", "提醒：${title}即将到期，请及时登录同舟平台处理。"),
    ("digest", "hourly_digest", "过去一小时您有${count}条预警通知，最新：${title}。请登录同舟平台查看。"),
    ("manual", "manual_alert", "${level}预警：${title}。请注意防范，详情请登录同舟平台查看。"),
    ("", "donation_trace", "您向${org}的捐赠已登记，追溯码${code}，查询：${url}"),
]


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("alerts", "SmsTemplate")
    for alert_type, code, text in TEMPLATES:
        SmsTemplate.objects.get_or_create(
            code=code, defaults={"alert_type": alert_type, "text": text}
        )


def unseed(apps, schema_editor):
    SmsTemplate = apps.get_model("alerts", "SmsTemplate")
    SmsTemplate.objects.filter(
        code__in=[code for _, code, _ in TEMPLATES],
        aliyun_template_code="",
        tencent_template_id="",
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_delivery_provider_ref_smstemplate")]

    operations = [migrations.RunPython(seed, unseed)]
