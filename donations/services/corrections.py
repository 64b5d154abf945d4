"""Corrections without edits: reversals and changes of use of restricted gifts."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.states import InvalidTransition
from core.versions import bump
from donations import balances, privacy, sequencer
from donations.actions import ENTRY, require_writer
from donations.models import GoodsLine, LedgerEntry, Lot
from donations.services.common import (
    Kind,
    audit_entry,
    common_incident,
    summarize,
)


def reverse(*, entry: LedgerEntry, by: Any, reason: str) -> LedgerEntry:
    """Correct a mistake by a reversing entry (never an edit): receipts only while untouched,
    allocations only before they are signed for; each entry is reversed at most once."""
    ENTRY["reverse"].who(by, entry)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the reversal.")]})
    privacy.screen(reason=reason)
    with transaction.atomic():
        entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
        ENTRY.check("reverse", by, entry)
        if entry.kind == Kind.RECEIPT:
            moved = balances.empty_untouched(Lot.objects.filter(acquired_by=entry))
        else:
            moved = balances.give_back(list(entry.sources.all()))
        lines = [
            GoodsLine(name=ln.name, unit=ln.unit, quantity=ln.quantity, unit_value=ln.unit_value)
            for ln in entry.lines.all()
        ]
        reversal = LedgerEntry(
            kind=Kind.REVERSAL,
            holder=entry.holder,
            counterparty=entry.counterparty,
            incident=entry.incident,
            purpose=entry.purpose,
            restricted=entry.restricted,
            amount=entry.amount,
            goods_value=entry.goods_value,
            occurred_at=timezone.now(),
            related=entry,
            reason=reason,
            created_by=by,
        )
        sequencer.append(reversal, lines=lines, sources=moved, evidence=[])
        audit_entry(reversal, by, reverses=entry.seq, reason=reason)
    return reversal


def change_use(
    *,
    entry: LedgerEntry,
    by: Any,
    purpose: str,
    filing_reference: str,
    donor_consent: bool,
    incident: Any = None,
) -> LedgerEntry:
    """Change the use of restricted (定向) money or goods still held from ``entry``: needs a
    filing reference and, where a donation agreement exists, the donor's consent (Art. 56)."""
    require_writer(by, entry.holder)
    if not filing_reference.strip():
        raise ValidationError(
            {"filing_reference": [_("A change of use needs its filing reference.")]}
        )
    if not (purpose or incident):
        raise ValidationError({"purpose": [_("Name the new incident or purpose.")]})
    privacy.screen(purpose=purpose, filing_reference=filing_reference)
    with transaction.atomic():
        lots = list(
            Lot.objects.select_for_update()
            .filter(acquired_by=entry, holder=entry.holder, restricted=True, remaining__gt=0)
            .select_related("origin")
            .order_by("id")
        )
        if not lots:
            raise InvalidTransition(_("Nothing restricted is left from this entry."))
        if any(lot.origin.donation_agreement for lot in lots) and not donor_consent:
            raise InvalidTransition(
                _("A donation agreement exists: the donor's consent is required."),
                code="donor_consent_required",
            )
        moved = []
        for lot in lots:
            moved.append(balances.EntrySource(lot=lot, quantity=lot.remaining))
            lot.remaining = Decimal(0)
            lot.save(update_fields=["remaining"])
        money, goods_value, lines = summarize(moved)
        change = LedgerEntry(
            kind=Kind.CHANGE_OF_USE,
            holder=entry.holder,
            # Only the purpose changes when no incident is named: the gift stays the incident's.
            incident_id=incident.pk if incident else common_incident(moved),
            purpose=purpose,
            restricted=True,
            amount=money,
            goods_value=goods_value,
            occurred_at=timezone.now(),
            related=entry,
            filing_reference=filing_reference,
            donor_consent=donor_consent,
            created_by=by,
        )
        sequencer.append(change, lines=lines, sources=moved, evidence=[])
        bump("donations")  # bulk_create sends no signal
        Lot.objects.bulk_create(
            Lot.opened(
                like=s.lot,
                acquired_by=change,
                holder=entry.holder,
                incident_id=incident.pk if incident else s.lot.incident_id,
                purpose=purpose,
                restricted=True,
                quantity=s.quantity,
            )
            for s in moved
        )
        audit_entry(change, by, changes=entry.seq, filing_reference=filing_reference)
    return change
