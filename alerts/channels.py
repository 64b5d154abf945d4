"""Channels: small classes with one ``send(delivery)`` method (and ``send_digest`` where a
user may ask for an hourly digest). They raise ``DeliveryError``: transient errors are retried
with backoff, permanent ones fail the delivery at once. They never open a transaction."""

import hashlib
import hmac
import ipaddress
import json
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from alerts import sms
from alerts.models import Channel, Delivery


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


class SmsChannel:
    """A gateway (console or HTTP) and the Chinese SMS length rules."""

    def send(self, delivery: Delivery) -> None:
        alert = delivery.alert
        if alert.template:
            self._send_template(delivery)
            return
        self._send(delivery, f"[{alert.get_level_display()}]{alert.title} {alert.body}")

    def _send_template(self, delivery: Delivery) -> None:
        """A registered template, filled in and sent whole (never cut: the wording is fixed)."""
        alert = delivery.alert
        template = sms.TEMPLATES.get(alert.template)
        if template is None:
            raise DeliveryError(
                f"SMS template {alert.template!r} is not registered", permanent=True
            )
        try:
            sms.gateway().send(
                phone=delivery.address,
                text=template.render(alert.template_params),
                delivery_id=delivery.pk,
                template=template.code,
                params=alert.template_params,
            )
        except KeyError as exc:
            raise DeliveryError(f"SMS template parameter missing: {exc}", permanent=True) from exc
        except sms.GatewayError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc

    def send_digest(self, deliveries: list[Delivery]) -> None:
        titles = "；".join(d.alert.title for d in deliveries)
        self._send(
            deliveries[0], _("%(n)d alerts: %(titles)s") % {"n": len(deliveries), "titles": titles}
        )

    def _send(self, delivery: Delivery, text: str) -> None:
        try:
            sms.gateway().send(phone=delivery.address, text=sms.cut(text), delivery_id=delivery.pk)
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
    """POST JSON to the organization's URL, signed with its secret (HMAC-SHA256 of the body)."""

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
            response = requests.post(
                webhook.url,
                data=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": "Tongzhou-Alerts/1",
                    "X-Tongzhou-Signature": signature(webhook.secret, body),
                    "X-Tongzhou-Delivery": str(delivery.pk),
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
