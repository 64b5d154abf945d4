"""Alibaba Cloud SMS (阿里云短信服务) ``SendSms`` over its documented RPC HTTP API.

Request: POST ``https://dysmsapi.aliyuncs.com/`` form-encoded, API version 2017-05-25, the
common parameters (AccessKeyId, Action, Format, RegionId, SignatureMethod=HMAC-SHA1,
SignatureNonce, SignatureVersion=1.0, Timestamp in UTC ISO 8601, Version) plus PhoneNumbers,
SignName, TemplateCode, TemplateParam (a JSON object) and OutId (our idempotency key, echoed
in the delivery receipt). Signature: ``base64(HMAC-SHA1(secret + "&", "POST&%2F&" +
percent(sorted "k=v" joined by "&")))`` with RFC 3986 percent-encoding.

Answer: ``{"Code": "OK", "BizId": ...}`` on success, else ``{"Code": "isv.…", "Message"}``.
"""

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from alerts.providers.http import session_for

API_VERSION = "2017-05-25"

# Codes that will never succeed for this number / template: the delivery fails at once.
# Anything else (isv.BUSINESS_LIMIT_CONTROL, isv.DAY_LIMIT_CONTROL, isv.AMOUNT_NOT_ENOUGH,
# isp.SYSTEM_ERROR, Throttling…, an unknown code) is retried with backoff.
PERMANENT = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.BLACK_KEY_CONTROL_LIMIT",
        "isv.SMS_TEMPLATE_ILLEGAL",
        "isv.SMS_SIGNATURE_ILLEGAL",
        "isv.SMS_SIGN_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.TEMPLATE_PARAMS_ILLEGAL",
        "isv.PARAM_LENGTH_LIMIT",
        "isv.INVALID_JSON_PARAM",
        "isv.INVALID_PARAMETERS",
        "isv.MOBILE_COUNT_OVER_LIMIT",
        "isv.SMS_CONTENT_ILLEGAL",
        "isv.EXTEND_CODE_ERROR",
        "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
    }
)


def percent(value: str) -> str:
    """RFC 3986 percent-encoding as the RPC signature wants it (space %20, ~ kept)."""
    return quote(value, safe="~")


def sign(secret: str, params: dict[str, str], method: str = "POST") -> str:
    canonical = "&".join(f"{percent(k)}={percent(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{percent('/')}&{percent(canonical)}"
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def phone_number(phone: str) -> str:
    """Mainland numbers without +86; others with their country code and no plus sign."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("+86"):
        return digits[3:]
    return digits.lstrip("+")


class ProviderError(Exception):
    def __init__(self, code: str, message: str, *, permanent: bool) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.permanent = permanent


@dataclass
class Client:
    access_key_id: str
    access_key_secret: str
    endpoint: str = "https://dysmsapi.aliyuncs.com/"
    region: str = "cn-hangzhou"
    timeout: float = 5.0

    def send_sms(
        self, *, phone: str, sign_name: str, template_code: str, params: dict, out_id: str
    ) -> str:
        """Send one templated SMS; returns the BizId. Raises ProviderError (permanent or not)
        or requests.RequestException (network: transient)."""
        form = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
            "PhoneNumbers": phone_number(phone),
            "SignName": sign_name,
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            "OutId": out_id,
        }
        form["Signature"] = sign(self.access_key_secret, form)
        response = session_for(self.endpoint).post(
            self.endpoint,
            data=form,
            timeout=self.timeout,
            allow_redirects=False,
        )
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        code = str(answer.get("Code") or "")
        if response.status_code == 200 and code == "OK":
            return str(answer.get("BizId") or "")
        if response.status_code >= 500 or not code:
            raise ProviderError(
                code or f"HTTP {response.status_code}", "provider error", permanent=False
            )
        raise ProviderError(code, str(answer.get("Message") or ""), permanent=code in PERMANENT)
