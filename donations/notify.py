"""Telling a donor the trace code of their receipt by SMS or e-mail, only with their consent.

Decisions (the issue is silent on them):

- The message goes through the alerts outbox (``alerts.services.notify_contact``): one Alert and
  one Delivery per channel, written in the caller's transaction and sent after commit with the
  outbox's claims, retries and sweep. The SMS is the registered template ``donation_trace``
  (``alerts.sms``); the e-mail carries the same words.
- Consent is the recording person's statement that the donor agreed to be told (a checkbox on
  the receipt form); without it nothing is written and nothing is sent. It is not the chain's
  ``donor_consent``, which is the donor's consent to a change of use.
- The SMS goes to the phone already recorded privately with the receipt (``DonorDetails``); an
  e-mail address is given with the consent and kept only on the outbox's delivery row. Neither
  enters the chain, the export or the audit trail: the audit row says which channels were used
  and which alerts carry the messages, never the address.
- Only members of the organization that recorded the receipt may send (what an organization
  already holds: ``verified=False``).
"""

import re
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from alerts.models import Channel, Delivery
from alerts.services import notify_contact
from core import audit
from core.display import people
from core.models import AuditEvent
from donations.models import DonorDetails, LedgerEntry
from donations.services.common import region_of
from registry.queries import acting_organization

SENT = "donations.trace_code_sent"
TEMPLATE = "donation_trace"
MOBILE = re.compile(r"1[3-9]\d{9}")


def trace_url(trace_code: str) -> str:
    """The public trace page of a code, as an absolute URL (QR codes, SMS, e-mail)."""
    path = reverse("donations:trace") + "?code=" + trace_code
    return settings.TONGZHOU_PUBLIC_URL.rstrip("/") + path


def mobile_number(phone: str) -> str:
    """A mainland mobile number from what was typed (spaces, dashes, +86), or ""."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    digits = digits.removeprefix("+86").removeprefix("0086")
    return digits if MOBILE.fullmatch(digits) else ""


def send_trace_code(
    *,
    entry: LedgerEntry,
    by: Any,
    consent: bool,
    sms: bool = False,
    email: str = "",
) -> list[str]:
    """Send a receipt's trace code to its donor by SMS (to the recorded phone) and/or e-mail,
    when the recording organization's member states that the donor agreed. Returns the
    channels used; audited as ``donations.trace_code_sent`` without the contact."""
    if entry.kind != LedgerEntry.Kind.RECEIPT or not entry.trace_code:
        raise ValidationError({"entry": [_("Only a receipt has a trace code to send.")]})
    organization = acting_organization(by, entry.holder_id, verified=False)
    if not consent:
        raise ValidationError(
            {"consent": [_("Send the trace code only when the donor agreed to be told.")]}
        )
    email = (email or "").strip()
    if not sms and not email:
        raise ValidationError({"channel": [_("Choose SMS or give an e-mail address.")]})
    addresses: list[tuple[str, str]] = []
    if sms:
        details = DonorDetails.objects.filter(entry=entry).first()
        phone = mobile_number(details.phone if details else "")
        if not phone:
            raise ValidationError(
                {"sms": [_("The receipt has no mainland mobile number of the donor.")]}
            )
        addresses.append((Channel.SMS, phone))
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from exc
        addresses.append((Channel.EMAIL, email))
    params = {
        "org": organization.name,
        "code": entry.trace_code,
        "url": trace_url(entry.trace_code),
    }
    with transaction.atomic():
        alerts = [
            notify_contact(
                title=_("Your donation's trace code"),
                template=TEMPLATE,
                params=params,
                channel=channel,
                address=address,
                organization_id=organization.pk,
                link=params["url"],
                actor=by,
            )
            for channel, address in addresses
        ]
        audit.record(
            actor=by,
            action=SENT,
            target=entry,
            organization_id=entry.holder_id,
            region_code=region_of(entry),
            data={
                "channels": [channel for channel, _address in addresses],
                "alerts": [alert.pk for alert in alerts],
                "consent": True,
            },
        )
    return [channel for channel, _address in addresses]


def notices(entry: LedgerEntry) -> list[dict]:
    """What was sent to the donor of ``entry``: when, by whom, by which channel and how far it
    got (the outbox's delivery status), newest first. Three queries whatever the count."""
    events = list(
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(LedgerEntry),
            target_id=str(entry.pk),
            action=SENT,
        )
        .select_related("actor")
        .prefetch_related(people("actor"))
        .order_by("-created_at", "-id")
    )
    alert_ids = [pk for event in events for pk in event.data.get("alerts", [])]
    deliveries = {
        d.alert_id: d
        for d in Delivery.objects.filter(alert_id__in=alert_ids).only(
            "alert_id", "channel", "status", "sent_at"
        )
    }
    rows = []
    for event in events:
        for alert_id in event.data.get("alerts", []):
            delivery = deliveries.get(alert_id)
            if delivery is not None:
                rows.append({"at": event.created_at, "by": event.actor, "delivery": delivery})
    return rows
