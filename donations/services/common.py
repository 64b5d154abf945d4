"""Shared rules of the ledger's services: who writes, what is asked, how it is audited.

Order of locks, always: the entry an action depends on, then lots (by id), then the chain head.
"""

from collections import OrderedDict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, validators
from donations import balances, chain, sequencer
from donations.balances import Want
from donations.models import GoodsLine, LedgerEntry
from registry.models import Organization

Kind = LedgerEntry.Kind
CENT = Decimal("0.01")
MAX_VALUE = Decimal("1e12")  # the ledger's amount columns hold 12 digits before the point


def wants_from(amount: Decimal | None, items: list[dict] | None) -> list[Want]:
    if (amount is None) == (not items):
        raise ValidationError({"amount": [_("Give either an amount or goods items, not both.")]})
    if amount is not None:
        if amount <= 0:
            raise ValidationError({"amount": [_("The amount must be positive.")]})
        return [Want("", "CNY", Decimal(amount).quantize(CENT))]
    merged: OrderedDict[tuple[str, str], Decimal] = OrderedDict()
    for item in items:
        if item["quantity"] <= 0:
            raise ValidationError({"items": [_("Quantities must be positive.")]})
        key = (item["name"], item.get("unit", ""))
        merged[key] = merged.get(key, Decimal(0)) + item["quantity"]
    return [Want(name, unit, qty) for (name, unit), qty in merged.items()]


def named_sources(sources: list[dict] | None) -> list[dict] | None:
    if not sources:
        return None
    return [
        {
            "entry": s["entry"],
            "item": s.get("item") or "",
            "quantity": Decimal(s.get("quantity") or s.get("amount") or 0),
        }
        for s in sources
    ]


def summarize(sources) -> tuple[Decimal, Decimal, list[GoodsLine]]:
    """Money amount, goods value and goods lines of what ``sources`` drew."""
    amount = Decimal(0)
    groups: OrderedDict[tuple[str, str], list[Decimal]] = OrderedDict()
    for s in sources:
        if s.lot.item == "":
            amount += s.quantity
        else:
            qty_value = groups.setdefault((s.lot.item, s.lot.unit), [Decimal(0), Decimal(0)])
            qty_value[0] += s.quantity
            qty_value[1] += s.quantity * s.lot.unit_value
    lines = [
        GoodsLine(name=name, unit=unit, quantity=qty, unit_value=(value / qty).quantize(CENT))
        for (name, unit), (qty, value) in groups.items()
    ]
    goods_value = sum((v for _q, v in groups.values()), Decimal(0)).quantize(CENT)
    return amount.quantize(CENT), goods_value, lines


def region_of(entry: LedgerEntry) -> str:
    return entry.incident.region_code if entry.incident_id else entry.holder.region_code


def audit_entry(entry: LedgerEntry, by: Any, **extra) -> None:
    audit.record(
        actor=by,
        action=f"donations.{entry.kind}",
        target=entry,
        organization_id=entry.holder_id,
        region_code=region_of(entry),
        data={
            "entry": entry.pk,
            "seq": entry.seq,  # None until sequenced (after_commit mode)
            "amount": chain.money(entry.amount),
            "goods_value": chain.money(entry.goods_value),
            **extra,
        },
    )


def when(value: datetime | None, *, field: str = "occurred_at") -> datetime:
    """When it happened (recorded after the fact is fine, not before 2000-01-01: a fact date of
    core.validators; in the future is not)."""
    now = timezone.now()
    if value is None:
        return now
    validators.check(field, validators.fact, value)
    if value > now + timedelta(minutes=5):
        raise ValidationError({field: [_("The date cannot be in the future.")]})
    return value


def use_time(value: datetime | None, drawn, *, field: str = "occurred_at") -> datetime:
    """When a use (allocation, disbursement) happened: a fact (``when``), and not before any of
    the lots it draws on came in (a use cannot precede the receipt it spends)."""
    occurred = when(value, field=field)
    latest = max((s.lot.acquired_at for s in drawn), default=None)
    validators.not_before(field, occurred, latest, what=_("the donation it draws on"))
    return occurred


def common_incident(sources) -> int | None:
    incidents = {s.lot.incident_id for s in sources}
    return incidents.pop() if len(incidents) == 1 else None


def outgoing_entry(
    *,
    kind: str,
    organization: Organization,
    by: Any,
    wants: list[Want],
    sources: list[dict] | None,
    incident: Any,
    purpose: str,
    occurred_at: datetime | None,
    evidence: list[str] = (),
    **fields: Any,
) -> tuple[LedgerEntry, list]:
    """Draw what an outgoing entry (allocation, disbursement) takes from the holder's lots
    (``balances.draw``: named sources, else the rule's choice), and append the entry to the
    chain with what it drew. Inside the caller's transaction; returns the entry and the draws.
    """
    drawn = balances.draw(
        holder_id=organization.pk,
        wants=wants,
        named=named_sources(sources),
        incident_id=incident.pk if incident else None,
        purpose=purpose,
    )
    money, goods_value, lines = summarize(drawn)
    entry = LedgerEntry(
        kind=kind,
        holder=organization,
        incident_id=incident.pk if incident else common_incident(drawn),
        purpose=purpose,
        restricted=any(s.lot.restricted for s in drawn),
        amount=money,
        goods_value=goods_value,
        occurred_at=use_time(occurred_at, drawn),
        created_by=by,
        **fields,
    )
    sequencer.append(entry, lines=lines, sources=drawn, evidence=list(evidence))
    return entry, drawn
