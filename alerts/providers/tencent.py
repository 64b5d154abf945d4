"""Tencent Cloud SMS (腾讯云短信) ``SendSms`` over its documented API 3.0.

Request: POST JSON to ``https://sms.tencentcloudapi.com/`` with headers X-TC-Action=SendSms,
X-TC-Version=2021-01-11, X-TC-Region, X-TC-Timestamp and an ``Authorization`` signed with
TC3-HMAC-SHA256 (canonical request over content-type and host, credential scope
``<date>/sms/tc3_request``, key derived ``TC3<secret> -> date -> "sms" -> "tc3_request"``).
Body: PhoneNumberSet (E.164), SmsSdkAppId, SignName, TemplateId, TemplateParamSet (values in
the order of the template's variables) and SessionContext (our idempotency key).

Answer: ``{"Response": {"SendStatusSet": [{"Code": "Ok", "SerialNo", ...}]}}`` or
``{"Response": {"Error": {"Code", "Message"}}}``; the per-number ``Code`` may be an error too.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from alerts.providers.aliyun import ProviderError
from alerts.providers.http import session_for

API_VERSION = "2021-01-11"
SERVICE = "sms"
CONTENT_TYPE = "application/json; charset=utf-8"

# Refusals that will not change on retry. LimitExceeded.*, RequestLimitExceeded,
# InternalError.*, FailedOperation.InsufficientBalanceInSmsPackage and unknown codes are retried.
PERMANENT_PREFIXES = ("InvalidParameterValue.", "InvalidParameter.", "UnsupportedOperation.")
PERMANENT = frozenset(
    {
        "FailedOperation.PhoneNumberInBlacklist",
        "FailedOperation.PhoneNumberParseFail",
        "FailedOperation.TemplateIncorrectOrUnapproved",
        "FailedOperation.SignatureIncorrectOrUnapproved",
        "FailedOperation.ContainSensitiveWord",
        "FailedOperation.MarketingSendTimeConstraint",
        "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
        "MissingParameter.EmptyPhoneNumberSet",
    }
)


def is_permanent(code: str) -> bool:
    return code in PERMANENT or code.startswith(PERMANENT_PREFIXES)


def e164(phone: str) -> str:
    """+86 in front of a bare mainland number (11 digits, or 13 starting with 86)."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("+"):
        return digits
    if len(digits) == 13 and digits.startswith("86"):
        return "+" + digits
    return "+86" + digits


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def authorization(
    *, secret_id: str, secret_key: str, host: str, payload: bytes, timestamp: int
) -> str:
    """The TC3-HMAC-SHA256 ``Authorization`` header for a POST / with JSON ``payload``."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{CONTENT_TYPE}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{SERVICE}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), SERVICE), "tc3_request")
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


@dataclass
class Client:
    secret_id: str
    secret_key: str
    sdk_app_id: str
    endpoint: str = "https://sms.tencentcloudapi.com/"
    region: str = "ap-guangzhou"
    timeout: float = 5.0

    def send_sms(
        self,
        *,
        phone: str,
        sign_name: str,
        template_id: str,
        params: list[str],
        session_context: str,
    ) -> str:
        """Send one templated SMS; returns the SerialNo. Raises ProviderError (permanent or
        not) or requests.RequestException (network: transient)."""
        body = {
            "PhoneNumberSet": [e164(phone)],
            "SmsSdkAppId": self.sdk_app_id,
            "SignName": sign_name,
            "TemplateId": template_id,
            "TemplateParamSet": params,
            "SessionContext": session_context,
        }
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        host = urlsplit(self.endpoint).netloc
        timestamp = int(time.time())
        headers = {
            "Authorization": authorization(
                secret_id=self.secret_id,
                secret_key=self.secret_key,
                host=host,
                payload=payload,
                timestamp=timestamp,
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": API_VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
        }
        response = session_for(self.endpoint).post(
            self.endpoint,
            data=payload,
            headers=headers,
            timeout=self.timeout,
            allow_redirects=False,
        )
        try:
            answer = response.json().get("Response") or {}
        except (ValueError, AttributeError):
            answer = {}
        if response.status_code >= 500 or not answer:
            raise ProviderError(f"HTTP {response.status_code}", "provider error", permanent=False)
        error = answer.get("Error")
        if error:
            code = str(error.get("Code") or "")
            raise ProviderError(code, str(error.get("Message") or ""), permanent=is_permanent(code))
        statuses = answer.get("SendStatusSet") or [{}]
        status = statuses[0]
        code = str(status.get("Code") or "")
        if code == "Ok":
            return str(status.get("SerialNo") or "")
        raise ProviderError(
            code or "no status", str(status.get("Message") or ""), permanent=is_permanent(code)
        )
