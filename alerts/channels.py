"""Channels: small classes with one ``send(delivery)`` method (and ``send_digest`` where a
user may ask for an hourly digest; ``prepare(deliveries)`` where a batch can be looked up at
once). ``send`` may return the provider's message id (SMS receipts name it). They raise
``DeliveryError``: transient errors are retried with backoff, permanent ones fail the
delivery at once. They never open a transaction."""

import hashlib
import hmac
import ipaddress
import json
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from alerts import sms
from alerts.models import Channel, Delivery
from alerts.providers.http import session_for


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.TONGZHOU_PUBLIC_URL.rstrip("/") + "/" + link.lstrip("/")


def payload(delivery: Delivery) -> dict:
    """What webhooks (and digests) carry: plain values, the delivery id for deduplication."""
    alert = delivery.alert
    return {
        "delivery_id": delivery.pk,
        "alert": {
            "id": alert.pk,
            "identifier": alert.cap_identifier,
            "title": alert.title,
            "body": alert.body,
            "level": alert.level,
            "severity": alert.severity,
            "msg_type": alert.msg_type,
            "link": absolute(alert.link),
            "public": alert.public,
            "region_code": alert.region_code,
            "incident": alert.incident_ref,
            "created_at": alert.created_at.isoformat(),
        },
    }


class InAppChannel:
    """The inbox: the row itself is the message, written as ``sent`` by notify."""

    def send(self, delivery: Delivery) -> None:
        return None


class EmailChannel:
    """Django's email backend (console by default; SMTP from EMAIL_URL)."""

    def send(self, delivery: Delivery) -> None:
        alert = delivery.alert
        # A templated message goes to someone outside the platform: no alert level in front.
        subject = alert.title if alert.template else f"[{alert.get_level_display()}] {alert.title}"
        body = "\n\n".join(part for part in (alert.body, absolute(alert.link)) if part)
        self._mail(subject, body, delivery.address)

    def send_digest(self, deliveries: list[Delivery]) -> None:
        lines = [f"- [{d.alert.get_level_display()}] {d.alert.title}" for d in deliveries]
        subject = _("Tongzhou: %(n)d alerts in the last hour") % {"n": len(deliveries)}
        self._mail(subject, "\n".join(lines), deliveries[0].address)

    def _mail(self, subject: str, body: str, address: str) -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except (OSError, ConnectionError) as exc:
            raise DeliveryError(f"mail server: {exc}") from exc


def idempotency_key(delivery: Delivery) -> str:
    """``<alert id>-<delivery id>``: the same on every attempt of a delivery (a retry, or a
    resend after a worker died between the receiver's answer and the status write), so a
    receiver can drop repeats. Sent as ``Idempotency-Key`` (webhooks, HTTP SMS), Aliyun
    ``OutId`` and Tencent ``SessionContext``."""
    return f"{delivery.alert_id}-{delivery.pk}"


def alert_type(alert) -> str:
    """The alert's type for choosing its SMS template (``manual`` until alerts carry one)."""
    return getattr(alert, "alert_type", "") or "manual"


def alert_params(alert) -> dict[str, str]:
    """The variables an alert-type template may use: level (its Chinese name), title, body,
    link, region code; the alert's own ``template_params`` override them."""
    with translation.override("zh-hans"):
        level = str(alert.get_level_display())
    return {
        "level": level,
        "title": alert.title,
        "body": alert.body,
        "link": absolute(alert.link),
        "region": alert.region_code,
        **{k: str(v) for k, v in (alert.template_params or {}).items()},
    }


class SmsChannel:
    """A gateway (console, HTTP, Alibaba Cloud, Tencent Cloud) and the Chinese SMS rules.

    An alert with a ``template`` (``notify_contact``) is sent as that template. Any other
    alert is sent, on the template providers (Aliyun, Tencent: no free text), as the active
    ``SmsTemplate`` of its alert type filled with ``alert_params``; on the console and HTTP
    gateways as free text cut to ``TONGZHOU_SMS_MAX_SEGMENTS`` parts."""

    def prepare(self, deliveries: list[Delivery]) -> None:
        """Look the batch's templates up in two queries (by code, by alert type) and attach
        them to the rows, so sending a batch costs no query per row."""
        gateway = sms.gateway()
        codes = [d.alert.template for d in deliveries if d.alert.template]
        types = [alert_type(d.alert) for d in deliveries if not d.alert.template]
        by_code = sms.templates_by_code(codes) if codes else {}
        by_type = sms.for_alert_types(types) if types and gateway.templates_only else {}
        for d in deliveries:
            d.sms_template = (
                by_code.get(d.alert.template)
                if d.alert.template
                else by_type.get(alert_type(d.alert))
            )

    def _template(self, delivery: Delivery, gateway: sms.Gateway) -> sms.Template | None:
        if hasattr(delivery, "sms_template"):
            return delivery.sms_template
        alert = delivery.alert
        if alert.template:
            return sms.find(alert.template)
        if gateway.templates_only:
            return sms.for_alert_types([alert_type(alert)]).get(alert_type(alert))
        return None

    def send(self, delivery: Delivery) -> str:
        alert = delivery.alert
        gateway = sms.gateway()
        template = self._template(delivery, gateway)
        if template is None:
            if alert.template:
                raise DeliveryError(
                    f"SMS template {alert.template!r} is not registered", permanent=True
                )
            if gateway.templates_only:
                raise DeliveryError(
                    f"no active SMS template for alert type {alert_type(alert)!r}",
                    permanent=True,
                )
            text = sms.cut(f"[{alert.get_level_display()}]{alert.title} {alert.body}")
            return self._send(gateway, delivery, text)
        params = alert.template_params if alert.template else alert_params(alert)
        return self._send_template(gateway, delivery, template, params)

    def _send_template(
        self, gateway: sms.Gateway, delivery: Delivery, template: sms.Template, params: dict
    ) -> str:
        """A template, its variables cut to the provider's limit, the text sent whole."""
        try:
            values = template.values(params, gateway.variable_limit)
        except KeyError as exc:
            raise DeliveryError(f"SMS template parameter missing: {exc}", permanent=True) from exc
        return self._send(gateway, delivery, template.render(values), template, values)

    def send_digest(self, deliveries: list[Delivery]) -> str:
        gateway = sms.gateway()
        if gateway.templates_only:
            template = sms.for_alert_types(["digest"]).get("digest")
            if template is None:
                raise DeliveryError("no active SMS template for digests", permanent=True)
            params = {"count": str(len(deliveries)), "title": deliveries[-1].alert.title}
            return self._send_template(gateway, deliveries[0], template, params)
        titles = "；".join(d.alert.title for d in deliveries)
        text = _("%(n)d alerts: %(titles)s") % {"n": len(deliveries), "titles": titles}
        return self._send(gateway, deliveries[0], sms.cut(text))

    def _send(
        self,
        gateway: sms.Gateway,
        delivery: Delivery,
        text: str,
        template: sms.Template | None = None,
        values: dict[str, str] | None = None,
    ) -> str:
        message = sms.Message(
            phone=delivery.address,
            text=text,
            delivery_id=delivery.pk,
            key=idempotency_key(delivery),
            template=template,
            params=values or {},
        )
        try:
            return gateway.send(message)
        except sms.GatewayError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc


def check_public_url(url: str) -> None:
    """SSRF guard: only http(s) URLs whose host resolves to public addresses, unless
    ``TONGZHOU_WEBHOOK_ALLOW_PRIVATE`` (development and tests). Raises ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(_("Only http and https URLs are allowed."))
    if parts.username or parts.password:
        raise ValueError(_("Credentials in the URL are not allowed."))
    if settings.TONGZHOU_WEBHOOK_ALLOW_PRIVATE:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise ValueError(_("The host name does not resolve.")) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise ValueError(_("The URL points to a private or reserved address."))


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookChannel:
    """POST JSON to the organization's URL, signed with its secret (HMAC-SHA256 of the body),
    over the worker process's pooled keep-alive connection to that host."""

    def send(self, delivery: Delivery) -> None:
        webhook = delivery.webhook
        if webhook is None or not webhook.active:
            raise DeliveryError("webhook removed", permanent=True)
        try:
            check_public_url(webhook.url)
        except ValueError as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        body = json.dumps(payload(delivery), ensure_ascii=False, sort_keys=True).encode("utf-8")
        try:
            response = session_for(webhook.url).post(
                webhook.url,
                data=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": "Tongzhou-Alerts/1",
                    "X-Tongzhou-Signature": signature(webhook.secret, body),
                    "X-Tongzhou-Delivery": str(delivery.pk),
                    "Idempotency-Key": idempotency_key(delivery),
                    "X-Tongzhou-Event": "alert",
                },
                timeout=settings.TONGZHOU_WEBHOOK_TIMEOUT,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"webhook unreachable: {type(exc).__name__}") from exc
        if 200 <= response.status_code < 300:
            return
        permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
        raise DeliveryError(f"webhook answered {response.status_code}", permanent=permanent)


CHANNELS = {
    Channel.IN_APP: InAppChannel(),
    Channel.EMAIL: EmailChannel(),
    Channel.SMS: SmsChannel(),
    Channel.WEBHOOK: WebhookChannel(),
}


def for_delivery(delivery: Delivery):
    return CHANNELS[delivery.channel]
