"""Service recipients (服务对象) as the supplier lists them, and the SMS that asks a sampled one to
confirm. The message goes through the alerts outbox with the registered template
``procurement_confirm`` (``alerts.sms``; procurement migration 0005 seeds the same wording as an
``SmsTemplate`` row, so an administrator can add the providers' template ids)."""

import re

from django.conf import settings
from django.urls import reverse

from alerts import sms

TEMPLATE = "procurement_confirm"
CONFIRM_SMS = sms.register(
    TEMPLATE, "{org}为您提供的服务正在验收，请确认是否属实（一次有效）：{url}"
)
MOBILE = re.compile(r"1[3-9]\d{9}")


def mobile_number(phone: str) -> str:
    """A mainland mobile number from what was typed (spaces, dashes, +86), or ""."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    digits = digits.removeprefix("+86").removeprefix("0086")
    return digits if MOBILE.fullmatch(digits) else ""


def parse_lines(text: str) -> list[dict]:
    """``name phone`` per line (the page's textarea) -> [{"name", "phone"}]; the phone is the
    last word of the line."""
    rows = []
    for line in (text or "").splitlines():
        words = line.split()
        if not words:
            continue
        if len(words) == 1:
            rows.append({"name": words[0], "phone": ""})
        else:
            rows.append({"name": " ".join(words[:-1]), "phone": words[-1]})
    return rows


def confirm_url(token: str) -> str:
    """The one-time confirmation page of a token, as an absolute URL (SMS)."""
    path = reverse("procurement:confirm", args=[token])
    return settings.TONGZHOU_PUBLIC_URL.rstrip("/") + path
