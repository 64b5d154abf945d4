"""Allocations to other organizations and the receiver's sign-for (签收)."""

from collections import OrderedDict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.notifications import notify
from core.versions import bump
from donations import balances, chain, privacy, sequencer
from donations.actions import ENTRY, receiving_kinds, require_writer
from donations.models import EntrySource, GoodsLine, LedgerEntry, Lot
from donations.services.common import (
    CENT,
    Kind,
    audit_entry,
    outgoing_entry,
    region_of,
    summarize,
    wants_from,
)
from registry.models import Organization


def allocate(
    *,
    by: Any,
    organization: Any = None,
    to_organization: Any,
    incident: Any = None,
    purpose: str = "",
    amount: Decimal | None = None,
    items: list[dict] | None = None,
    sources: list[dict] | None = None,
    occurred_at: datetime | None = None,
) -> LedgerEntry:
    """Transfer money or goods to another verified organization, drawn from the holder's lots
    (named or oldest compatible first); the receiver is alerted and signs for what arrives."""
    organization = require_writer(by, organization)
    privacy.screen(purpose=purpose)
    # A team a hub vouches for (no credit code) receives too; its hub signs for it.
    if to_organization is None or to_organization.status not in Organization.IN_GOOD_STANDING:
        raise ValidationError({"to_organization": [_("Allocate only to a verified organization.")]})
    if to_organization.kind not in receiving_kinds():
        raise ValidationError(
            {"to_organization": [_("This organization cannot hold donations on the ledger.")]}
        )
    if to_organization.pk == organization.pk:
        raise ValidationError({"to_organization": [_("Allocate to another organization.")]})
    wants = wants_from(amount, items)
    with transaction.atomic():
        entry, _drawn = outgoing_entry(
            kind=Kind.ALLOCATION,
            organization=organization,
            by=by,
            wants=wants,
            sources=sources,
            incident=incident,
            purpose=purpose,
            occurred_at=occurred_at,
            counterparty=to_organization,
        )
        audit_entry(entry, by, to_organization=to_organization.pk)
        notify(
            title=lambda: _("%(org)s allocated donations to you") % {"org": organization.name},
            body=lambda: (
                _("Entry #%(seq)s: please sign for what actually arrives.") % {"seq": entry.number}
            ),
            link=f"/ledger/entries/{entry.pk}/",
            audience={"organizations": [to_organization.pk]},
            actor=by,
            kind="assignment",
        )
    return entry


def acknowledge(
    *,
    allocation: LedgerEntry,
    by: Any,
    amount: Decimal | None = None,
    items: list[dict] | None = None,
    reason: str = "",
) -> LedgerEntry:
    """The receiver signs for (签收) what actually arrived; less than allocated is flagged as a
    shortfall publicly and alerted to the sender and the region's officials. ``reason`` (why
    less arrived) is published with the entry; the sign-for page requires it for a shortfall."""
    ENTRY["acknowledge"].who(by, allocation)
    privacy.screen(reason=reason)
    receiver = allocation.counterparty
    wants = {(w.item, w.unit): w.quantity for w in wants_from(amount, items)}
    with transaction.atomic():
        allocation = LedgerEntry.objects.select_for_update().get(pk=allocation.pk)
        ENTRY.check("acknowledge", by, allocation)
        draws = list(allocation.sources.select_related("lot"))
        sent: OrderedDict[tuple[str, str], Decimal] = OrderedDict()
        for s in draws:
            key = (s.lot.item, "CNY" if s.lot.item == "" else s.lot.unit)
            sent[key] = sent.get(key, Decimal(0)) + s.quantity
        for key, qty in wants.items():
            if key not in sent:
                raise ValidationError(
                    {"items": [_("%(item)s was not allocated.") % {"item": key[0]}]}
                )
            if qty > sent[key]:
                raise ValidationError(
                    {"items": [_("More %(item)s than allocated.") % {"item": key[0] or _("money")}]}
                )
        shortfall = any(wants.get(key, Decimal(0)) < qty for key, qty in sent.items())
        left = dict(wants)
        arrivals = []
        arrived = []  # format 2: what arrived, per drawn lot of the allocation (in the chain)
        for s in draws:
            key = (s.lot.item, "CNY" if s.lot.item == "" else s.lot.unit)
            got = min(left.get(key, Decimal(0)), s.quantity)
            if got > 0:
                arrivals.append((s.lot, got))
                arrived.append(EntrySource(lot=s.lot, quantity=got))
                left[key] -= got
        money = sum((q for lot, q in arrivals if lot.item == ""), Decimal(0)).quantize(CENT)
        goods = [(lot, q) for lot, q in arrivals if lot.item != ""]
        lines = [
            GoodsLine(name=lot.item, unit=lot.unit, quantity=q, unit_value=lot.unit_value)
            for lot, q in goods
        ]
        entry = LedgerEntry(
            kind=Kind.ACKNOWLEDGEMENT,
            holder=receiver,
            counterparty=allocation.holder,
            incident=allocation.incident,
            purpose=allocation.purpose,
            restricted=allocation.restricted,
            amount=money,
            goods_value=sum((lot.unit_value * q for lot, q in goods), Decimal(0)).quantize(CENT),
            occurred_at=timezone.now(),
            related=allocation,
            shortfall=shortfall,
            reason=reason.strip(),
            created_by=by,
        )
        sequencer.append(
            entry, lines=lines, sources=arrived if chain.FORMAT >= 2 else [], evidence=[]
        )
        bump("donations")  # bulk_create sends no signal
        Lot.objects.bulk_create(
            Lot.opened(
                like=lot,
                acquired_by=entry,
                holder=receiver,
                incident_id=allocation.incident_id or lot.incident_id,
                quantity=q,
                acquired_at=entry.occurred_at,
            )
            for lot, q in arrivals
        )
        audit_entry(entry, by, allocation=allocation.seq, shortfall=shortfall)
        if shortfall:
            notify(
                title=lambda: (
                    _("Shortfall signed for on allocation #%(seq)s") % {"seq": allocation.seq}
                ),
                body=lambda: (
                    _("%(org)s received less than was allocated to it.") % {"org": receiver.name}
                ),
                link="/ledger/?kind=acknowledgement",
                level="yellow",
                audience={
                    "organizations": [allocation.holder_id],
                    "officials_for": region_of(allocation),
                },
                actor=by,
                kind="approval",
            )
    return entry


OUTCOMES = {
    "recovered": Kind.RECOVERY,
    "written_off": Kind.WRITE_OFF,
    "replaced": Kind.REPLACEMENT,
}


def resolve_shortfall(
    *,
    allocation: LedgerEntry,
    by: Any,
    outcome: str,
    reason: str = "",
    amount: Decimal | None = None,
    items: list[dict] | None = None,
) -> LedgerEntry:
    """Resolve (part of) a shortfall signed for on ``allocation``; each resolution is an entry
    in the chain whose ``related`` is the allocation and whose ``sources`` name the sender's lots
    the missing part was drawn from:

    - ``recovered`` (追回, entry kind ``recovery``): the missing part came back to the sender;
      its lots are restored. Recorded by the sender.
    - ``written_off`` (核销, ``write_off``): lost; a reason is required. Recorded by the sender.
    - ``replaced`` (补足, ``replacement``): the missing part reached the receiver after all
      (re-sent, or made good by the carrier); the receiver signs for it and holds it.

    Without ``amount``/``items`` the whole open remainder is resolved; with them, that part of
    it (taken from the allocation's lots in the order it drew them).
    """
    kind = OUTCOMES.get(outcome)
    if kind is None:
        raise ValidationError({"outcome": [_("Choose recovered, written off or replaced.")]})
    ENTRY[ACTION_OF[kind]].who(by, allocation)
    if kind == Kind.WRITE_OFF and not reason.strip():
        raise ValidationError({"reason": [_("Say why the shortfall is written off.")]})
    privacy.screen(reason=reason)
    wanted = None
    if amount is not None or items:
        wanted = {(w.item, w.unit): w.quantity for w in wants_from(amount, items)}
    with transaction.atomic():
        allocation = LedgerEntry.objects.select_for_update().get(pk=allocation.pk)
        ENTRY.check(ACTION_OF[kind], by, allocation)
        missing = balances.open_shortfall(allocation.pk, lock=True)
        left = dict(wanted) if wanted is not None else None
        if left is not None:
            open_per_key: dict[tuple[str, str], Decimal] = {}
            for lot, qty in missing:
                key = (lot.item, "CNY" if lot.item == "" else lot.unit)
                open_per_key[key] = open_per_key.get(key, Decimal(0)) + qty
            for key, qty in left.items():
                if qty > open_per_key.get(key, Decimal(0)):
                    raise ValidationError(
                        {
                            "items": [
                                _("More %(item)s than is missing.") % {"item": key[0] or _("money")}
                            ]
                        }
                    )
        moved = []
        for lot, qty in missing:
            key = (lot.item, "CNY" if lot.item == "" else lot.unit)
            take = qty if left is None else min(qty, left.get(key, Decimal(0)))
            if take <= 0:
                continue
            if left is not None:
                left[key] -= take
            moved.append(EntrySource(lot=lot, quantity=take))
            if kind == Kind.RECOVERY:
                lot.remaining += take
                lot.save(update_fields=["remaining"])
        money, goods_value, lines = summarize(moved)
        sender, receiver = allocation.holder, allocation.counterparty
        replaced = kind == Kind.REPLACEMENT
        entry = LedgerEntry(
            kind=kind,
            holder=receiver if replaced else sender,
            counterparty=sender if replaced else receiver,
            incident=allocation.incident,
            purpose=allocation.purpose,
            restricted=allocation.restricted,
            amount=money,
            goods_value=goods_value,
            occurred_at=timezone.now(),
            related=allocation,
            reason=reason,
            created_by=by,
        )
        sequencer.append(entry, lines=lines, sources=moved, evidence=[])
        if replaced:
            bump("donations")  # bulk_create sends no signal
            Lot.objects.bulk_create(
                Lot.opened(
                    like=s.lot,
                    acquired_by=entry,
                    holder=receiver,
                    incident_id=allocation.incident_id or s.lot.incident_id,
                    quantity=s.quantity,
                    acquired_at=entry.occurred_at,
                )
                for s in moved
            )
        audit_entry(entry, by, allocation=allocation.seq, outcome=outcome, reason=reason)
    return entry


ACTION_OF = {Kind.RECOVERY: "recover", Kind.WRITE_OFF: "write_off", Kind.REPLACEMENT: "replace"}
