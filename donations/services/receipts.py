"""Donations coming in (捐赠票据): money or goods lines, donor masked in public."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import text
from core.versions import bump
from donations import chain, privacy, sequencer
from donations.actions import require_writer
from donations.donors import donor_display, new_trace_code
from donations.models import DonorDetails, GoodsLine, LedgerEntry, Lot
from donations.services.common import (
    CENT,
    MAX_VALUE,
    Kind,
    audit_entry,
    wants_from,
    when,
)


def record_receipt(
    *,
    by: Any,
    organization: Any = None,
    donor_name: str,
    donor_kind: str,
    anonymous: bool = False,
    amount: Decimal | None = None,
    items: list[dict] | None = None,
    incident: Any = None,
    restricted: bool = False,
    purpose: str = "",
    channel: str = "",
    received_at: datetime | None = None,
    receipt_number: str = "",
    handler: str = "",
    donor_phone: str = "",
    donor_address: str = "",
    donation_agreement: bool = False,
    campaign: Any = None,
) -> LedgerEntry:
    """Record a donation (捐赠票据) received by a verified receiving organization; the public
    form carries only the masked donor and salted commitments of the private fields (handler,
    donor name, phone, address); restricted gifts must name an incident or purpose.

    A receipt for a public fundraising campaign (公开募捐, ``Campaign``) of the organization is
    bound to it: restricted to the campaign's incident and to its purpose (``Campaign.label``),
    whatever else was asked, so only the campaign's uses (or a change of use) can draw on it."""
    organization = require_writer(by, organization)
    if campaign is not None:
        if campaign.organization_id != organization.pk:
            raise ValidationError(
                {"campaign": [_("This public fundraising campaign is another organization’s.")]}
            )
        incident, purpose, restricted = campaign.incident, campaign.label, True
    privacy.screen(purpose=purpose)
    privacy.screen_items(items)
    donor_name = text.check_name("donor_name", donor_name)  # U+202E must not be the initial
    wants = wants_from(amount, items)
    if restricted and not (incident or purpose):
        raise ValidationError(
            {"purpose": [_("A restricted donation names its incident or purpose.")]}
        )
    received_at = when(received_at, field="received_at")
    lines = [
        GoodsLine(
            name=i["name"],
            unit=i.get("unit", ""),
            quantity=i["quantity"],
            unit_value=Decimal(i.get("unit_value") or 0).quantize(CENT),
            spec=i.get("spec", ""),
            quality_certificate=i.get("quality_certificate", ""),
            expiry_date=i.get("expiry_date"),
        )
        for i in (items or [])
    ]
    goods_value = sum((ln.quantity * ln.unit_value for ln in lines), Decimal(0)).quantize(CENT)
    if goods_value >= MAX_VALUE:
        raise ValidationError({"items": [_("The goods value is implausibly large.")]})
    salt = privacy.new_salt()
    private = {
        "handler": handler,
        "donor_name": donor_name,
        "donor_phone": donor_phone,
        "donor_address": donor_address,
    }
    old_format = chain.FORMAT < 2  # an old ledger, built by tests: the handler in the clear
    with transaction.atomic():
        entry = LedgerEntry(
            kind=Kind.RECEIPT,
            holder=organization,
            incident=incident,
            purpose=purpose,
            restricted=restricted,
            amount=wants[0].quantity if amount is not None else Decimal(0),
            goods_value=goods_value,
            occurred_at=received_at,
            donor_display=donor_display(donor_name, donor_kind, anonymous),
            donor_kind=donor_kind,
            channel=channel,
            receipt_number=receipt_number,
            handler=handler if old_format else "",
            commitments={} if old_format else privacy.commitments(salt, private),
            trace_code=new_trace_code(),
            donation_agreement=donation_agreement,
            created_by=by,
        )
        sequencer.append(entry, lines=lines, sources=[], evidence=[])
        DonorDetails.objects.create(
            entry=entry,
            full_name=donor_name,
            phone=donor_phone,
            address=donor_address,
            handler="" if old_format else handler,
            salt="" if old_format else salt,
        )
        lots = [(ln.name, ln.unit, ln.quantity, ln.unit_value) for ln in lines] or [
            ("", "CNY", entry.amount, Decimal(1))
        ]
        bump("donations")  # bulk_create sends no signal
        Lot.objects.bulk_create(
            Lot.opened(
                origin=entry,
                acquired_by=entry,
                holder=organization,
                incident=incident,
                purpose=purpose,
                restricted=restricted,
                item=name,
                unit=unit,
                unit_value=value,
                quantity=qty,
                acquired_at=received_at,
            )
            for name, unit, qty, value in lots
        )
        audit_entry(entry, by, trace_code=entry.trace_code)
    return entry
