"""SMS: the length rules for Chinese text and the gateway interface (console or HTTP).

Length rules (GSM 03.38 / 3GPP TS 23.040, as Chinese carriers apply them): a message with any
character outside the GSM 7-bit alphabet is sent as UCS-2, 70 characters in one SMS or 67 per
part when concatenated; pure GSM text is 160, or 153 per part. Chinese carriers require the
sender's signature (签名, e.g. 【同舟】) and count it in the length. Characters beyond the BMP
(some rare 汉字, emoji) take two UCS-2 units.
"""

import json
import logging
from dataclasses import dataclass

import requests
from django.conf import settings

logger = logging.getLogger("tongzhou.alerts.sms")

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")
ELLIPSIS = "…"


class GatewayError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def _units(text: str, ucs2: bool) -> int:
    if ucs2:
        return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
    return sum(2 if ch in GSM_EXTENDED else 1 for ch in text)


def is_gsm(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text)


def _limits(ucs2: bool) -> tuple[int, int]:
    return (70, 67) if ucs2 else (160, 153)


def fits(text: str, max_segments: int) -> bool:
    ucs2 = not is_gsm(text)
    single, part = _limits(ucs2)
    units = _units(text, ucs2)
    return units <= single or (max_segments > 1 and units <= part * max_segments)


def segments(text: str) -> int:
    """How many SMS parts ``text`` takes."""
    ucs2 = not is_gsm(text)
    single, part = _limits(ucs2)
    units = _units(text, ucs2)
    return 1 if units <= single else -(-units // part)


def cut(text: str, *, signature: str | None = None, max_segments: int | None = None) -> str:
    """The signature plus as much of ``text`` as fits in ``max_segments`` parts, an ellipsis
    marking the cut. Works on code points, so it never splits a character."""
    signature = settings.TONGZHOU_SMS_SIGNATURE if signature is None else signature
    max_segments = max_segments or settings.TONGZHOU_SMS_MAX_SEGMENTS
    full = signature + " ".join(text.split())
    if fits(full, max_segments):
        return full
    out = full[: 160 * max_segments]
    while out and not fits(out + ELLIPSIS, max_segments):
        out = out[:-1]
    return out.rstrip() + ELLIPSIS


@dataclass
class ConsoleGateway:
    """Writes the message to the log: the default in development and in tests."""

    sent: list | None = None

    def send(
        self, *, phone: str, text: str, delivery_id: int, template: str = "", params=None
    ) -> None:
        logger.info("SMS to %s (delivery %s): %s", phone, delivery_id, text)


@dataclass
class HttpGateway:
    """POSTs ``{"to", "text", "id"}`` (plus ``"template"`` and ``"params"`` for a registered
    template) as JSON to the provider's URL with a bearer key.

    2xx is sent; 4xx (other than 408/429) is a permanent refusal; anything else is retried.
    The delivery id lets the provider drop a duplicate after a worker died mid-send."""

    url: str
    key: str
    timeout: float = 5.0

    def send(
        self, *, phone: str, text: str, delivery_id: int, template: str = "", params=None
    ) -> None:
        message = {"to": phone, "text": text, "id": delivery_id}
        if template:
            message.update(template=template, params=params or {})
        body = json.dumps(message, ensure_ascii=False)
        try:
            response = requests.post(
                self.url,
                data=body.encode("utf-8"),
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Authorization": f"Bearer {self.key}",
                    "X-Tongzhou-Delivery": str(delivery_id),
                },
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise GatewayError(f"SMS gateway unreachable: {exc}") from exc
        if 200 <= response.status_code < 300:
            return
        permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
        raise GatewayError(f"SMS gateway answered {response.status_code}", permanent=permanent)


@dataclass(frozen=True)
class Template:
    """A message registered (报备) with the SMS provider: fixed wording with named parameters.

    Chinese providers send only approved templates under the registered signature, so the
    wording is fixed here, in Chinese, and never translated or cut at run time; only the
    parameters vary. The HTTP gateway sends the template code and parameters along with the
    text, for providers that fill the template themselves."""

    code: str
    text: str

    def render(self, params: dict[str, str]) -> str:
        """The signature and the filled-in wording (KeyError when a parameter is missing)."""
        return settings.TONGZHOU_SMS_SIGNATURE + self.text.format(**params)


TEMPLATES: dict[str, Template] = {}


def register(code: str, text: str) -> Template:
    TEMPLATES[code] = Template(code, text)
    return TEMPLATES[code]


# The registered templates (one entry per wording approved with the provider).
DONATION_TRACE = register("donation_trace", "您向{org}的捐赠已登记，追溯码{code}，查询：{url}")


def gateway() -> ConsoleGateway | HttpGateway:
    if settings.TONGZHOU_SMS_BACKEND == "http":
        return HttpGateway(
            url=settings.TONGZHOU_SMS_URL,
            key=settings.TONGZHOU_SMS_KEY,
            timeout=settings.TONGZHOU_SMS_TIMEOUT,
        )
    return ConsoleGateway()
