from django.contrib import admin

from alerts.models import Alert, SmsTemplate


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "public", "created_at"]
    list_filter = ["level", "public"]


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    """Operators enter the provider ids once Alibaba Cloud / Tencent Cloud approved a wording;
    the wording must stay exactly the approved one."""

    list_display = [
        "code",
        "alert_type",
        "aliyun_template_code",
        "tencent_template_id",
        "signature",
        "active",
    ]
    list_filter = ["alert_type", "active"]
    search_fields = ["code", "text"]
