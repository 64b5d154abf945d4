"""Reads of the ledger shared by pages and the API: each costs a fixed number of queries."""

from collections import OrderedDict
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from coordination.models import Incident
from donations import balances
from donations.models import ChainHead, EntrySource, LedgerEntry, Lot
from registry.models import Organization

Kind = LedgerEntry.Kind
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=20, decimal_places=3))
FLOW_KINDS = {
    "received": Kind.RECEIPT,
    "allocated": Kind.ALLOCATION,
    "disbursed": Kind.DISBURSEMENT,
}


def stuck_days() -> int:
    return getattr(settings, "TONGZHOU_STUCK_GOODS_DAYS", 7)


def _reversed():
    return Exists(LedgerEntry.objects.filter(kind=Kind.REVERSAL, related=OuterRef("pk")))


def live_entries():
    """Entries that count in totals: neither reversals nor reversed."""
    return LedgerEntry.objects.exclude(kind=Kind.REVERSAL).filter(~_reversed())


def public_entries():
    """Entries for the public list, with what badges need, in a fixed number of queries.

    Building this queryset (three ``Exists`` annotations, joins, prefetches) costs more CPU
    than running it; a copy of one built per minute is returned instead (a clone costs a few
    microseconds). The stuck-goods cutoff is therefore whole minutes: goods become "stuck" up
    to a minute after their ``TONGZHOU_STUCK_GOODS_DAYS`` have passed."""
    now = timezone.now().replace(second=0, microsecond=0)
    return _public_entries_at(now - timedelta(days=stuck_days())).all()


@lru_cache(maxsize=4)
def _public_entries_at(cutoff):
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
    """The books (``donations.balances.Books``: received, passed on, used, written off, held,
    in transit, money and goods value, with the old names received/allocated/disbursed/balance
    alongside): overall, per incident and per organization, narrowed by ``incident_id`` and/or
    ``organization_id`` (then the other list holds that scope's cells: the organizations
    within the incident, the incidents within the organization). ``overall`` also lists the
    scope's open shortfalls (``open_shortfalls``).

    The books are a pure function of the chain: every balance (lot) change comes with an append
    in the same transaction, and an append moves the chain head. So they are cached under the
    head's seq (one primary-key read) and recomputed only after the ledger has grown, and so are
    the open shortfalls (a pure function of the chain too); the titles and names are read
    fresh. A fixed number of queries whatever the size of the
    ledger.
    """
    head = _head()
    kept = _books(head)
    if incident_id and organization_id:
        overall = kept.figures(organization_id=organization_id, incident_id=incident_id)
        by_incident = {incident_id: overall}
        by_org = {organization_id: overall}
    elif incident_id:
        overall = kept.figures(incident_id=incident_id)
        by_incident = {incident_id: overall}
        by_org = {
            h: kept.figures(organization_id=h, incident_id=incident_id)
            for h in kept.organizations(incident_id=incident_id)
        }
    elif organization_id:
        overall = kept.figures(organization_id=organization_id)
        by_incident = {
            i: kept.figures(organization_id=organization_id, incident_id=i)
            for i in kept.incidents(organization_id)
        }
        by_org = {organization_id: overall}
    else:
        overall = kept.figures()
        by_incident = {i: kept.figures(incident_id=i) for i in kept.incidents()}
        by_org = {h: kept.figures(organization_id=h) for h in kept.organizations()}
    titles = dict(
        Incident.objects.filter(pk__in=[k for k in by_incident if k]).values_list("pk", "title")
    )
    names = dict(Organization.objects.filter(pk__in=list(by_org)).values_list("pk", "name"))
    return {
        "overall": {
            **overall,
            "open_shortfalls": _cached(
                f"donations:shortfalls:{head}:{incident_id or ''}:{organization_id or ''}",
                lambda: open_shortfalls(incident_id=incident_id, organization_id=organization_id),
            ),
        },
        "incidents": [
            {"incident": k, "title": titles.get(k, ""), **v} for k, v in by_incident.items() if k
        ],
        "organizations": [
            {"organization": k, "name": names.get(k, ""), **v} for k, v in by_org.items()
        ],
    }


def _head() -> int:
    return ChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0


def _cached(key: str, compute):
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, timeout=TOTALS_CACHE_SECONDS)
    return found


def _books(head: int | None = None) -> "balances.Books":
    """The books at the chain head ``head`` (read when not given), cached per head."""
    return _cached(f"donations:books:{_head() if head is None else head}", balances.books)


# A head's books never change; the timeout only bounds how long superseded keys linger.
TOTALS_CACHE_SECONDS = 3600
EXACT = DecimalField(max_digits=30, decimal_places=5)


def open_shortfalls(*, incident_id: int | None = None, organization_id: int | None = None):
    """Shortfalls signed for and not yet resolved (recovered, written off or replaced), oldest
    allocation first: ``[{"allocation": LedgerEntry, "lines": [{"item", "unit", "quantity",
    "value"}], "value": Decimal}]``; each allocation also gets ``missing`` (its lines), which
    the allowed-actions guard reads instead of asking again. Two queries."""
    allocations = (
        LedgerEntry.objects.filter(
            kind=Kind.ALLOCATION,
            followers__kind=Kind.ACKNOWLEDGEMENT,
            followers__shortfall=True,
            followers__chain_format__gte=2,
        )
        .select_related("holder", "counterparty", "incident")
        .order_by("id")
    )
    if incident_id:
        allocations = allocations.filter(incident_id=incident_id)
    if organization_id:
        allocations = allocations.filter(
            Q(holder_id=organization_id) | Q(counterparty_id=organization_id)
        )
    left: dict[tuple, list] = {}
    of_allocations = allocations.values("pk")
    flows = (
        EntrySource.objects.filter(
            Q(entry__in=of_allocations)
            | Q(entry__related__in=of_allocations, entry__kind__in=balances.SETTLING)
        )
        .annotate(
            allocation=Case(
                When(entry__kind=Kind.ALLOCATION, then=F("entry_id")),
                default=F("entry__related_id"),
            ),
            sign=Case(When(entry__kind=Kind.ALLOCATION, then=Value(1)), default=Value(-1)),
        )
        .values("allocation", "sign", "lot__item", "lot__unit")
        .annotate(
            q=Sum("quantity"), v=Sum(F("quantity") * F("lot__unit_value"), output_field=EXACT)
        )
        .order_by()
    )
    for r in flows:
        row = left.setdefault((r["allocation"], r["lot__item"], r["lot__unit"]), [0, 0])
        row[0] += r["sign"] * r["q"]
        row[1] += r["sign"] * r["v"]
    found = []
    for allocation in allocations:
        lines = [
            {"item": item, "unit": unit, "quantity": q, "value": v.quantize(Decimal("0.01"))}
            for (pk, item, unit), (q, v) in left.items()
            if pk == allocation.pk and q > 0
        ]
        if lines:
            allocation.missing = lines
            found.append(
                {
                    "allocation": allocation,
                    "lines": lines,
                    "value": sum((ln["value"] for ln in lines), Decimal(0)),
                }
            )
    return found


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
    """What became of one receipt, looked up by its trace code (``trace_share``)."""
    receipt = (
        LedgerEntry.objects.select_related("holder", "incident")
        .prefetch_related("lines")
        .filter(kind=Kind.RECEIPT, trace_code=trace_code.strip().upper())
        .first()
    )
    return trace_share(receipt) if receipt else None


def trace_by_receipt_number(organization_id: int, receipt_number: str) -> dict | None:
    """The same, looked up by the charity and its donation receipt (捐赠票据) number. A number
    is the charity's own: when it was recorded on several receipts (a correction recorded
    again after a reversal), the latest one that was not reversed, else the latest."""
    receipt = (
        LedgerEntry.objects.select_related("holder", "incident")
        .prefetch_related("lines")
        .filter(
            kind=Kind.RECEIPT,
            holder_id=organization_id,
            receipt_number=receipt_number.strip(),
        )
        .annotate(is_reversed=_reversed())
        .order_by("is_reversed", "-id")
        .first()
    )
    return trace_share(receipt) if receipt else None


def trace_share(receipt: LedgerEntry) -> dict:
    """What became of one receipt, step by step, in chain order: public facts only (no donor
    details), and at each step the donor's share.

    The share is exact where the ledger is: every draw names the lots it took, and lots keep the
    receipt they came from through every allocation and sign-for, so ``share_lines`` are the
    quantities drawn from this gift. Where the gift was pooled with others in one entry (a
    disbursement paid from several gifts), what the entry reached is shared pro rata by value:
    ``fraction`` = this gift's value / the entry's value, and ``share_beneficiaries`` = the
    entry's beneficiaries x ``fraction`` (one decimal). A fixed number of queries (seven).
    """
    value = Sum(F("quantity") * F("lot__unit_value"), output_field=EXACT)
    shares: dict[int, list[dict]] = {}
    for r in (
        EntrySource.objects.filter(lot__origin=receipt)
        .values("entry_id", "lot__item", "lot__unit")
        .annotate(q=Sum("quantity"), v=value)
        .order_by("entry_id", "lot__item", "lot__unit")
    ):
        shares.setdefault(r["entry_id"], []).append(
            {"item": r["lot__item"], "unit": r["lot__unit"], "quantity": r["q"], "value": r["v"]}
        )
    # Format-1 sign-fors name no sources: what arrived is in the lots they opened.
    for r in (
        Lot.objects.filter(origin=receipt, acquired_by__chain_format__lt=2)
        .exclude(acquired_by=receipt)
        .values("acquired_by_id", "item", "unit")
        .annotate(q=Sum("quantity"), v=Sum(F("quantity") * F("unit_value"), output_field=EXACT))
        .order_by("acquired_by_id", "item", "unit")
    ):
        if r["acquired_by_id"] not in shares:
            shares.setdefault(r["acquired_by_id"], []).append(
                {"item": r["item"], "unit": r["unit"], "quantity": r["q"], "value": r["v"]}
            )
    steps = list(
        LedgerEntry.objects.filter(Q(pk__in=list(shares)) | Q(related=receipt))
        .exclude(pk=receipt.pk)
        .select_related("holder", "counterparty", "incident", "related")
        .prefetch_related("lines", "evidence")
        .annotate(is_reversed=_reversed())
        .order_by("id")  # commit order; seq may still be null (sequencing after commit)
    )
    cent = Decimal("0.01")
    for step in steps:
        lines = shares.get(step.pk, [])
        step.share_lines = [ln for ln in lines if ln["item"]]
        step.share_amount = sum(
            (ln["quantity"] for ln in lines if not ln["item"]), Decimal(0)
        ).quantize(cent)
        step.share_value = sum((ln["value"] for ln in lines), Decimal(0)).quantize(cent)
        step.share_goods_value = step.share_value - step.share_amount
        total = step.amount + step.goods_value
        step.fraction = (step.share_value / total) if total else Decimal(0)
        step.whole = bool(total) and step.share_value >= total
        step.percent = (step.fraction * 100).quantize(Decimal("0.1"))
        step.share_beneficiaries = (step.beneficiaries * step.fraction).quantize(Decimal("0.1"))
        step.evidence_hashes = sorted(e.sha256 for e in step.evidence.all())
    lots = list(
        Lot.objects.filter(origin=receipt, remaining__gt=0)
        .select_related("holder", "incident")
        .order_by("acquired_at", "id")
    )
    return {"receipt": receipt, "steps": steps, "lots": lots}


def receipt_holders():
    """Organizations that recorded receipts, by name (the trace page's charity choice)."""
    return Organization.objects.filter(
        pk__in=LedgerEntry.objects.filter(kind=Kind.RECEIPT).values("holder_id")
    ).order_by("name")


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
        .order_by("id")
    )


def overall_figures() -> dict:
    """Received and used overall (money + goods value, the books), two decimals: the chain
    head on a warm cache, six queries on a cold one."""
    books = _books().figures()
    return {
        "received": f"{books['received']:,}",
        "disbursed": f"{books['used']:,}",
    }


def track_record(organization) -> dict:
    """An organization's public record: its entries, what it received (its receipts and what it
    signed for: the books) and used, and the shortfalls signed for on its allocations."""
    entries = live_entries().filter(holder=organization).count()
    books = _books().figures(organization_id=organization.pk)
    shortfalls = LedgerEntry.objects.filter(
        kind=Kind.ACKNOWLEDGEMENT, counterparty=organization, shortfall=True
    ).count()
    return {
        "entries": entries,
        "received": f"{books['received']:,}",
        "disbursed": f"{books['used']:,}",
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
