"""The SMS that asks a sampled service recipient to confirm (procurement/recipients.py), in the
wording submitted to the providers for approval. Provider ids stay empty until approved; an
existing row with the same code is left alone."""

from django.db import migrations

CODE = "procurement_confirm"
TEXT = "${org}为您提供的服务正在验收，请确认是否属实（一次有效）：${url}"


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("alerts", "SmsTemplate")
    SmsTemplate.objects.get_or_create(code=CODE, defaults={"alert_type": "", "text": TEXT})


def unseed(apps, schema_editor):
    SmsTemplate = apps.get_model("alerts", "SmsTemplate")
    SmsTemplate.objects.filter(
        code=CODE, aliyun_template_code="", tencent_template_id=""
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0006_merge_reach_fanout"),
        ("procurement", "0004_inspections_evidence_confirmations"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
