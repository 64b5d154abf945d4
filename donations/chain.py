"""The hash chain: the public form of an entry, its hash, and appending under the head lock.

Format (API.md, documented for the public in docs/donations.md): each exported line is
``{"seq", "prev_hash", "hash", "entry"}``; ``prev_hash`` of seq 1 is 64 zeros and
``hash = sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()``.
The public form is rebuilt from the relational columns, so a row edited behind the ORM's back
no longer matches its hash.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils import timezone

from donations.models import GENESIS_HASH, ChainHead, LedgerEntry

MONEY = Decimal("0.01")
QUANTITY = Decimal("0.001")


def money(value: Decimal) -> str:
    return f"{Decimal(value).quantize(MONEY):f}"


def quantity(value: Decimal) -> str:
    text = f"{Decimal(value).quantize(QUANTITY):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def moment(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def canonical(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, entry: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def public_form(
    entry: LedgerEntry, lines: Iterable, sources: Iterable, evidence: Iterable[str]
) -> dict:
    """The chained public form: ids, amounts as strings, times; never private donor details.

    ``sources`` yields ``EntrySource``-like objects with ``lot`` (``origin_id``,
    ``acquired_by_id``, ``item``, ``unit``), ``quantity`` and ``chosen_by_service``.
    """
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "organization": entry.holder_id,
        "to_organization": entry.counterparty_id,
        "incident": entry.incident_id,
        "purpose": entry.purpose,
        "restricted": entry.restricted,
        "currency": "CNY",
        "amount": money(entry.amount),
        "goods_value": money(entry.goods_value),
        "occurred_at": moment(entry.occurred_at),
        "recorded_at": moment(entry.recorded_at),
        "donor_display": entry.donor_display,
        "donor_kind": entry.donor_kind,
        "channel": entry.channel,
        "receipt_number": entry.receipt_number,
        "handler": entry.handler,
        "trace_code": entry.trace_code,
        "donation_agreement": entry.donation_agreement,
        "region_code": entry.region_code,
        "beneficiaries": entry.beneficiaries,
        "related": entry.related_id,
        "shortfall": entry.shortfall,
        "reason": entry.reason,
        "filing_reference": entry.filing_reference,
        "donor_consent": entry.donor_consent,
        "lines": [
            {
                "name": line.name,
                "unit": line.unit,
                "quantity": quantity(line.quantity),
                "unit_value": money(line.unit_value),
                "spec": line.spec,
                "quality_certificate": line.quality_certificate,
                "expiry_date": day(line.expiry_date),
            }
            for line in lines
        ],
        "sources": [
            {
                "entry": source.lot.acquired_by_id,
                "receipt": source.lot.origin_id,
                "item": source.lot.item,
                "unit": source.lot.unit,
                "quantity": quantity(source.quantity),
                "chosen_by_service": source.chosen_by_service,
            }
            for source in sources
        ],
        "evidence": sorted(evidence),
    }


def stored_form(entry: LedgerEntry) -> dict:
    """The public form of a saved entry (prefetch lines, sources__lot and evidence)."""
    return public_form(
        entry,
        entry.lines.all(),
        entry.sources.all(),
        [e.sha256 for e in entry.evidence.all()],
    )


def lock_head() -> ChainHead:
    """Take the chain lock: every append serializes on this one row (fixed order: last)."""
    ChainHead.objects.get_or_create(id=1)
    return ChainHead.objects.select_for_update().get(id=1)


def append(entry: LedgerEntry, *, lines: list, sources: list, evidence: list[str]) -> LedgerEntry:
    """Give ``entry`` the next seq and its hash and insert it with its lines and sources.

    Must run inside the caller's transaction, after any balance locks were taken.
    """
    head = lock_head()
    entry.seq = head.seq + 1
    entry.recorded_at = timezone.now()
    entry.prev_hash = head.head_hash
    entry.hash = chain_hash(head.head_hash, public_form(entry, lines, sources, evidence))
    entry.save()
    for position, line in enumerate(lines, start=1):
        line.entry = entry
        line.position = position
        line.save()
    for source in sources:
        source.entry = entry
        source.save()
    head.seq, head.head_hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "head_hash"])
    return entry


def chain_rows(chunk_size: int = 2000) -> Iterator[dict]:
    """Every entry as an export row, in seq order, streamed in chunks (constant memory)."""
    queryset = LedgerEntry.objects.order_by("seq").prefetch_related(
        "lines", "sources__lot", "evidence"
    )
    for entry in queryset.iterator(chunk_size=chunk_size):
        yield {
            "seq": entry.seq,
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
            "entry": stored_form(entry),
        }


def verify() -> tuple[int, int | None, str]:
    """Recompute the chain: (entries checked, first bad seq or None, what is wrong)."""
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for row in chain_rows():
        count += 1
        if row["seq"] != expected_seq:
            return count, row["seq"], f"expected seq {expected_seq}"
        if row["prev_hash"] != prev:
            return count, row["seq"], "prev_hash does not match the previous entry's hash"
        if chain_hash(prev, row["entry"]) != row["hash"]:
            return count, row["seq"], "hash does not match the entry's content"
        prev = row["hash"]
        expected_seq += 1
    head = ChainHead.objects.filter(id=1).first()
    if head and (head.seq != count or head.head_hash != prev):
        return count, head.seq, "chain head does not match the last entry"
    return count, None, ""
