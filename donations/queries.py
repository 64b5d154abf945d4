"""Reads of the ledger shared by pages and the API: each costs a fixed number of queries."""

from collections import OrderedDict
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from coordination.models import Incident
from donations.models import ChainHead, LedgerEntry, Lot
from registry.models import Organization

Kind = LedgerEntry.Kind
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=20, decimal_places=3))
FLOW_KINDS = {
    "received": Kind.RECEIPT,
    "allocated": Kind.ALLOCATION,
    "disbursed": Kind.DISBURSEMENT,
}


def is_id(value: str) -> bool:
    """A query-string id that fits a 64-bit column (larger ones match nothing: no overflow)."""
    return value.isdigit() and len(value) <= 18


def stuck_days() -> int:
    return getattr(settings, "TONGZHOU_STUCK_GOODS_DAYS", 7)


def _reversed():
    return Exists(LedgerEntry.objects.filter(kind=Kind.REVERSAL, related=OuterRef("pk")))


def live_entries():
    """Entries that count in totals: neither reversals nor reversed."""
    return LedgerEntry.objects.exclude(kind=Kind.REVERSAL).filter(~_reversed())


def public_entries():
    """Entries for the public list, with what badges need, in a fixed number of queries."""
    cutoff = timezone.now() - timedelta(days=stuck_days())
    return (
        LedgerEntry.objects.select_related("holder", "counterparty", "incident")
        .prefetch_related("lines", "sources__lot")
        .annotate(
            is_reversed=_reversed(),
            short_signed=Exists(
                LedgerEntry.objects.filter(
                    kind=Kind.ACKNOWLEDGEMENT, related=OuterRef("pk"), shortfall=True
                )
            ),
            goods_stuck=Exists(
                Lot.objects.filter(
                    origin=OuterRef("pk"), remaining__gt=0, acquired_at__lt=cutoff
                ).exclude(item="")
            ),
        )
        .order_by("-seq")
    )


def _flows(queryset, key: str | None):
    sums = {}
    for name, kind in FLOW_KINDS.items():
        sums[f"{name}_money"] = Coalesce(Sum("amount", filter=Q(kind=kind)), ZERO)
        sums[f"{name}_goods"] = Coalesce(Sum("goods_value", filter=Q(kind=kind)), ZERO)
    if key is None:
        return {None: queryset.aggregate(**sums)}
    return {row[key]: row for row in queryset.values(key).annotate(**sums).order_by(key)}


def _balances(queryset, key: str | None):
    sums = {
        "balance_money": Coalesce(Sum("remaining", filter=Q(item="")), ZERO),
        "balance_goods": Coalesce(
            Sum(F("remaining") * F("unit_value"), filter=~Q(item=""), output_field=DecimalField()),
            ZERO,
        ),
    }
    if key is None:
        return {None: queryset.aggregate(**sums)}
    return {row[key]: row for row in queryset.values(key).annotate(**sums).order_by(key)}


METRICS = [
    f"{n}_{m}"
    for n in ("received", "allocated", "disbursed", "balance")
    for m in ("money", "goods")
]


def _merge(flows: dict, balances: dict) -> "OrderedDict":
    merged = OrderedDict()
    for key in list(flows) + [k for k in balances if k not in flows]:
        row = {**flows.get(key, {}), **balances.get(key, {})}
        merged[key] = {m: Decimal(row.get(m) or 0).quantize(Decimal("0.01")) for m in METRICS}
    return merged


def totals(*, incident_id: int | None = None, organization_id: int | None = None) -> dict:
    """Received, allocated, disbursed and balance (money and goods value): overall, per
    incident and per organization.

    The sums are a pure function of the chain: every balance (lot) change comes with an append
    in the same transaction, and an append moves the chain head. So they are cached under the
    head's seq (one primary-key read) and recomputed only after the ledger has grown; the titles
    and names are read fresh. Three queries on a warm cache, nine on a cold one, whatever the
    size of the ledger.
    """
    head = ChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
    key = f"donations:totals:{head}:{incident_id or ''}:{organization_id or ''}"
    sums = cache.get(key)
    if sums is None:
        sums = _totals_sums(incident_id=incident_id, organization_id=organization_id)
        cache.set(key, sums, timeout=TOTALS_CACHE_SECONDS)
    overall, by_incident, by_org = sums
    titles = dict(
        Incident.objects.filter(pk__in=[k for k in by_incident if k]).values_list("pk", "title")
    )
    names = dict(Organization.objects.filter(pk__in=list(by_org)).values_list("pk", "name"))
    return {
        "overall": overall,
        "incidents": [
            {"incident": k, "title": titles.get(k, ""), **v} for k, v in by_incident.items() if k
        ],
        "organizations": [
            {"organization": k, "name": names.get(k, ""), **v} for k, v in by_org.items()
        ],
    }


# A head's totals never change; the timeout only bounds how long superseded keys linger.
TOTALS_CACHE_SECONDS = 3600


def _totals_sums(*, incident_id: int | None, organization_id: int | None) -> tuple:
    """(overall, per incident, per organization) sums: six aggregate queries."""
    entries = live_entries()
    lots = Lot.objects.all()
    if incident_id:
        entries, lots = (
            entries.filter(incident_id=incident_id),
            lots.filter(incident_id=incident_id),
        )
    if organization_id:
        entries, lots = (
            entries.filter(holder_id=organization_id),
            lots.filter(holder_id=organization_id),
        )
    overall = _merge(_flows(entries, None), _balances(lots, None))[None]
    by_incident = _merge(_flows(entries, "incident"), _balances(lots, "incident"))
    by_org = _merge(_flows(entries, "holder"), _balances(lots, "holder"))
    return overall, by_incident, by_org


def flows_by_day(*, incident_id: int | None = None, days: int = 60) -> list[dict]:
    """Inflow (receipts) and outflow (disbursements) per day, money + goods value."""
    since = timezone.now() - timedelta(days=days)
    entries = live_entries().filter(occurred_at__gte=since)
    if incident_id:
        entries = entries.filter(incident_id=incident_id)
    value = F("amount") + F("goods_value")
    rows = (
        entries.annotate(day=TruncDate("occurred_at"))
        .values("day")
        .annotate(
            inflow=Coalesce(Sum(value, filter=Q(kind=Kind.RECEIPT)), ZERO),
            outflow=Coalesce(Sum(value, filter=Q(kind=Kind.DISBURSEMENT)), ZERO),
        )
        .order_by("day")
    )
    return list(rows)


def spending_by_purpose(*, incident_id: int | None = None, limit: int = 8) -> list[dict]:
    """Where the money went: disbursed value per purpose, largest first."""
    entries = live_entries().filter(kind=Kind.DISBURSEMENT)
    if incident_id:
        entries = entries.filter(incident_id=incident_id)
    return list(
        entries.values("purpose")
        .annotate(total=Sum(F("amount") + F("goods_value")))
        .order_by("-total")[:limit]
    )


def trace(trace_code: str) -> dict | None:
    """What became of one receipt, step by step: public facts only (no donor details)."""
    receipt = (
        LedgerEntry.objects.select_related("holder", "incident")
        .prefetch_related("lines")
        .filter(kind=Kind.RECEIPT, trace_code=trace_code.strip().upper())
        .first()
    )
    if receipt is None:
        return None
    steps = (
        LedgerEntry.objects.filter(
            Q(sources__lot__origin=receipt)
            | Q(related=receipt)
            | Q(related__sources__lot__origin=receipt)
        )
        .exclude(pk=receipt.pk)
        .select_related("holder", "counterparty", "incident", "related")
        .prefetch_related("lines")
        .distinct()
        .order_by("seq")
    )
    lots = Lot.objects.filter(origin=receipt).select_related("holder").order_by("id")
    return {"receipt": receipt, "steps": list(steps), "lots": list(lots)}


def holdings(organization) -> list[dict]:
    """The organization's balance per purpose and item (money is item "")."""
    return list(
        Lot.objects.filter(holder=organization, remaining__gt=0)
        .values("incident_id", "incident__title", "purpose", "restricted", "item", "unit")
        .annotate(
            quantity=Sum("remaining"),
            value=Sum(F("remaining") * F("unit_value"), output_field=DecimalField()),
        )
        .order_by("incident_id", "purpose", "item", "unit")
    )


def open_lots(organization):
    """The organization's open lots, oldest first (for choosing sources by hand)."""
    return (
        Lot.objects.filter(holder=organization, remaining__gt=0)
        .select_related("incident")
        .order_by("acquired_at", "id")
    )


def pending_acknowledgements(organization):
    """Allocations to the organization not yet signed for or reversed."""
    return (
        LedgerEntry.objects.filter(kind=Kind.ALLOCATION, counterparty=organization)
        .exclude(followers__kind__in=[Kind.ACKNOWLEDGEMENT, Kind.REVERSAL])
        .select_related("holder", "incident")
        .prefetch_related("lines")
        .order_by("seq")
    )


def overall_figures() -> dict:
    """Received and disbursed overall (money + goods value), two decimals, one query."""
    value = F("amount") + F("goods_value")
    sums = live_entries().aggregate(
        received=Coalesce(Sum(value, filter=Q(kind=Kind.RECEIPT)), ZERO),
        disbursed=Coalesce(Sum(value, filter=Q(kind=Kind.DISBURSEMENT)), ZERO),
    )
    return {k: f"{Decimal(v).quantize(Decimal('0.01')):,}" for k, v in sums.items()}


def track_record(organization) -> dict:
    value = F("amount") + F("goods_value")
    sums = (
        live_entries()
        .filter(holder=organization)
        .aggregate(
            entries=Count("seq"),
            received=Coalesce(Sum(value, filter=Q(kind=Kind.RECEIPT)), ZERO),
            disbursed=Coalesce(Sum(value, filter=Q(kind=Kind.DISBURSEMENT)), ZERO),
        )
    )
    shortfalls = LedgerEntry.objects.filter(
        kind=Kind.ACKNOWLEDGEMENT, counterparty=organization, shortfall=True
    ).count()
    return {
        "entries": sums["entries"],
        "received": f"{Decimal(sums['received']).quantize(Decimal('0.01')):,}",
        "disbursed": f"{Decimal(sums['disbursed']).quantize(Decimal('0.01')):,}",
        "shortfalls": shortfalls,
    }


def spending_by_region(*, incident_id: int | None = None) -> list[dict]:
    """Where it went, by place: disbursed value (money + goods) per region the disbursement
    served ("" when none was given), largest first; every region, one query."""
    entries = live_entries().filter(kind=Kind.DISBURSEMENT)
    if incident_id:
        entries = entries.filter(incident_id=incident_id)
    return list(
        entries.values("region_code")
        .annotate(total=Sum(F("amount") + F("goods_value")))
        .order_by("-total", "region_code")
    )


# Age brackets of goods still held (days since the holder acquired them): (label key, from, to).
HELD_AGES = (("0-7", 0, 7), ("8-30", 8, 30), ("31-90", 31, 90), ("90+", 91, None))


def held_goods_by_age(*, incident_id: int | None = None, now=None) -> list[dict]:
    """Goods received but not yet passed on or used (open goods lots), valued at their unit
    value and counted in lots, per age bracket of ``HELD_AGES``: one aggregate query.

    The age runs from when the current holder acquired the goods (a receipt, or the sign-for of
    an allocation), so goods passed on promptly and then left lying count at the last holder."""
    now = now or timezone.now()
    lots = Lot.objects.filter(remaining__gt=0).exclude(item="")
    if incident_id:
        lots = lots.filter(incident_id=incident_id)
    value = F("remaining") * F("unit_value")
    sums = {}
    for key, low, high in HELD_AGES:
        window = Q(acquired_at__lte=now - timedelta(days=low))
        if high is not None:
            window &= Q(acquired_at__gt=now - timedelta(days=high + 1))
        sums[f"value_{key}"] = Coalesce(
            Sum(value, filter=window, output_field=DecimalField()), ZERO
        )
        sums[f"lots_{key}"] = Count("id", filter=window)
    row = lots.aggregate(**sums)
    return [
        {
            "age": key,
            "value": Decimal(row[f"value_{key}"]).quantize(Decimal("0.01")),
            "lots": row[f"lots_{key}"],
        }
        for key, _low, _high in HELD_AGES
    ]
