"""SMS: the length rules for Chinese text, the templates approved with the providers
(``SmsTemplate`` rows and templates registered in code) and the gateways: console, generic
HTTP, Alibaba Cloud and Tencent Cloud.

Length rules (GSM 03.38 / 3GPP TS 23.040, as Chinese carriers apply them): a message with any
character outside the GSM 7-bit alphabet is sent as UCS-2, 70 characters in one SMS or 67 per
part when concatenated; pure GSM text is 160, or 153 per part. Chinese carriers require the
sender's signature (签名, e.g. 【同舟】) and count it in the length. Characters beyond the BMP
(some rare 汉字, emoji) take two UCS-2 units.
"""

import json
import logging
import re
from dataclasses import dataclass, field

import requests
from django.conf import settings

from alerts.providers import aliyun, tencent
from alerts.providers.http import session_for

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


@dataclass(frozen=True)
class Message:
    """One SMS to send: ``text`` is the whole message with its signature (console and HTTP
    gateways send it); template providers send ``template`` and its ``params`` (already cut to
    the provider's per-variable limit) under ``sign_name``. ``key`` is the delivery's
    idempotency key (Aliyun OutId, Tencent SessionContext, HTTP ``Idempotency-Key``)."""

    phone: str
    text: str
    delivery_id: int
    key: str
    template: "Template | None" = None
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class ConsoleGateway:
    """Writes the message to the log: the default in development and in tests."""

    templates_only = False
    variable_limit = None

    def send(self, message: Message) -> str:
        logger.info("SMS to %s (delivery %s): %s", message.phone, message.delivery_id, message.text)
        return ""


@dataclass
class HttpGateway:
    """POSTs ``{"to", "text", "id"}`` (plus ``"template"`` and ``"params"`` for a template) as
    JSON to the provider's URL with a bearer key, over the worker's pooled connection.

    2xx is sent; 4xx (other than 408/429) is a permanent refusal; anything else is retried.
    The delivery id and the ``Idempotency-Key`` header let the provider drop a duplicate after
    a worker died mid-send."""

    url: str
    key: str
    timeout: float = 5.0
    templates_only = False
    variable_limit = None

    def send(self, message: Message) -> str:
        body = {"to": message.phone, "text": message.text, "id": message.delivery_id}
        if message.template is not None:
            body.update(template=message.template.code, params=message.params)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            response = session_for(self.url).post(
                self.url,
                data=data,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Authorization": f"Bearer {self.key}",
                    "X-Tongzhou-Delivery": str(message.delivery_id),
                    "Idempotency-Key": message.key,
                },
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise GatewayError(f"SMS gateway unreachable: {exc}") from exc
        if 200 <= response.status_code < 300:
            return ""
        permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
        raise GatewayError(f"SMS gateway answered {response.status_code}", permanent=permanent)


class _TemplateGateway:
    """What the Chinese providers share: templates only, never free text."""

    templates_only = True
    provider = ""

    def _template_id(self, message: Message) -> str:
        template = message.template
        ident = getattr(template, self.provider, "") if template is not None else ""
        if not ident:
            code = template.code if template is not None else "-"
            raise GatewayError(
                f"SMS template {code!r} has no {self.provider} template id", permanent=True
            )
        return ident

    def _call(self, send, message: Message) -> str:
        try:
            return send()
        except aliyun.ProviderError as exc:
            raise GatewayError(f"{self.provider}: {exc}", permanent=exc.permanent) from exc
        except requests.RequestException as exc:
            raise GatewayError(f"{self.provider} unreachable: {type(exc).__name__}") from exc


@dataclass
class AliyunGateway(_TemplateGateway):
    """Alibaba Cloud SMS (``alerts.providers.aliyun``); variables at most 35 characters."""

    client: aliyun.Client
    provider = "aliyun"
    variable_limit = 35

    def send(self, message: Message) -> str:
        template_code = self._template_id(message)
        return self._call(
            lambda: self.client.send_sms(
                phone=message.phone,
                sign_name=sign_name(message.template),
                template_code=template_code,
                params=message.params,
                out_id=message.key,
            ),
            message,
        )


@dataclass
class TencentGateway(_TemplateGateway):
    """Tencent Cloud SMS (``alerts.providers.tencent``); variables at most 12 characters, sent
    as TemplateParamSet in the order the variables appear in the wording."""

    client: tencent.Client
    provider = "tencent"
    variable_limit = 12

    def send(self, message: Message) -> str:
        template_id = self._template_id(message)
        values = [message.params[name] for name in message.template.variables]
        return self._call(
            lambda: self.client.send_sms(
                phone=message.phone,
                sign_name=sign_name(message.template),
                template_id=template_id,
                params=values,
                session_context=message.key,
            ),
            message,
        )


VARIABLE = re.compile(r"\$\{(\w+)\}")
_LEGACY_VARIABLE = re.compile(r"(?<!\$)\{(\w+)\}")


def limit_value(value: object, limit: int | None) -> str:
    """One variable's value as text, whitespace folded, at most ``limit`` characters: a longer
    value keeps its first ``limit - 1`` code points and an ellipsis (a str slice never splits
    a surrogate pair; non-BMP characters count as one, as the providers count them)."""
    text = " ".join(str(value).split())
    if limit is None or len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Template:
    """A message approved (报备) with the SMS providers: fixed wording with ``${name}``
    variables, sent under the registered signature.

    Chinese providers send only approved templates, so the wording is fixed, in Chinese, and
    never translated or cut at run time; only the variables vary, each within the provider's
    per-variable limit. ``aliyun`` / ``tencent`` are the providers' ids for it."""

    code: str
    text: str
    alert_type: str = ""
    aliyun: str = ""
    tencent: str = ""
    signature: str = ""

    @property
    def variables(self) -> list[str]:
        """The variable names in order of first appearance (Tencent's {1}, {2}… order)."""
        return list(dict.fromkeys(VARIABLE.findall(self.text)))

    def values(self, params: dict, limit: int | None = None) -> dict[str, str]:
        """The template's variables from ``params`` (KeyError when one is missing), each cut
        to ``limit`` characters; extra keys are ignored."""
        return {name: limit_value(params[name], limit) for name in self.variables}

    def fill(self, values: dict[str, str]) -> str:
        return VARIABLE.sub(lambda m: values[m.group(1)], self.text)

    def render(self, params: dict, limit: int | None = None) -> str:
        """The signature and the filled-in wording (KeyError when a parameter is missing)."""
        return (self.signature or settings.TONGZHOU_SMS_SIGNATURE) + self.fill(
            self.values(params, limit)
        )

    @classmethod
    def from_row(cls, row) -> "Template":
        return cls(
            code=row.code,
            text=row.text,
            alert_type=row.alert_type,
            aliyun=row.aliyun_template_code,
            tencent=row.tencent_template_id,
            signature=row.signature,
        )


def sign_name(template: Template | None) -> str:
    """The provider's SignName: the signature without its 【】 brackets."""
    signature = (template.signature if template else "") or settings.TONGZHOU_SMS_SIGNATURE
    return signature.strip().lstrip("【[").rstrip("】]")


TEMPLATES: dict[str, Template] = {}


def register(code: str, text: str, **ids: str) -> Template:
    """Declare a template in code (the fallback when no ``SmsTemplate`` row has this code).
    ``{name}`` variables are read as ``${name}``; ``ids``: ``aliyun=``, ``tencent=``."""
    TEMPLATES[code] = Template(code, _LEGACY_VARIABLE.sub(r"${\1}", text), **ids)
    return TEMPLATES[code]


def find(code: str) -> Template | None:
    """The active ``SmsTemplate`` row with this code, else the template registered in code."""
    from alerts.models import SmsTemplate

    row = SmsTemplate.objects.filter(code=code, active=True).first()
    return Template.from_row(row) if row is not None else TEMPLATES.get(code)


def for_alert_types(alert_types: list[str]) -> dict[str, Template]:
    """The active template of each alert type (lowest code first when several), one query."""
    from alerts.models import SmsTemplate

    found: dict[str, Template] = {}
    rows = SmsTemplate.objects.filter(alert_type__in=set(alert_types), active=True)
    for row in rows.order_by("alert_type", "code"):
        found.setdefault(row.alert_type, Template.from_row(row))
    return found


def templates_by_code(codes: list[str]) -> dict[str, Template]:
    """``find`` for many codes in one query."""
    from alerts.models import SmsTemplate

    found = {code: TEMPLATES[code] for code in codes if code in TEMPLATES}
    for row in SmsTemplate.objects.filter(code__in=set(codes), active=True):
        found[row.code] = Template.from_row(row)
    return found


# The templates registered in code (migration 0005 seeds the same wording as rows).
DONATION_TRACE = register("donation_trace", "您向{org}的捐赠已登记，追溯码{code}，查询：{url}")


Gateway = ConsoleGateway | HttpGateway | AliyunGateway | TencentGateway


def gateway() -> Gateway:
    """The gateway ``TONGZHOU_SMS_BACKEND`` names, built from the settings (cheap: the HTTP
    connections live in ``alerts.providers.http``'s per-process pool, not here)."""
    backend = settings.TONGZHOU_SMS_BACKEND
    if backend == "http":
        return HttpGateway(
            url=settings.TONGZHOU_SMS_URL,
            key=settings.TONGZHOU_SMS_KEY,
            timeout=settings.TONGZHOU_SMS_TIMEOUT,
        )
    if backend == "aliyun":
        return AliyunGateway(
            aliyun.Client(
                access_key_id=settings.TONGZHOU_SMS_ALIYUN_ACCESS_KEY_ID,
                access_key_secret=settings.TONGZHOU_SMS_ALIYUN_ACCESS_KEY_SECRET,
                endpoint=settings.TONGZHOU_SMS_ALIYUN_ENDPOINT,
                region=settings.TONGZHOU_SMS_ALIYUN_REGION,
                timeout=settings.TONGZHOU_SMS_TIMEOUT,
            )
        )
    if backend == "tencent":
        return TencentGateway(
            tencent.Client(
                secret_id=settings.TONGZHOU_SMS_TENCENT_SECRET_ID,
                secret_key=settings.TONGZHOU_SMS_TENCENT_SECRET_KEY,
                sdk_app_id=settings.TONGZHOU_SMS_TENCENT_SDK_APP_ID,
                endpoint=settings.TONGZHOU_SMS_TENCENT_ENDPOINT,
                region=settings.TONGZHOU_SMS_TENCENT_REGION,
                timeout=settings.TONGZHOU_SMS_TIMEOUT,
            )
        )
    return ConsoleGateway()
