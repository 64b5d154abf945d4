"""The SMS template that carries a volunteer's phone code (alerts' templates registered in code;
an ``SmsTemplate`` row with the same code, approved with the provider, takes precedence)."""

from alerts import sms

PHONE_CODE = sms.register(
    "volunteer_phone_code", "您的志愿者验证码为{code}，{minutes}分钟内有效，请勿告诉他人。"
)
