"""The hash chain: the public form of an entry, its hash, and appending an entry.

Since issue 16 an entry is written unsequenced (``seq``/``prev_hash``/``hash`` null) and
``donations.sequencer`` gives it its place after commit (``TONGZHOU_LEDGER_SEQUENCING =
"after_commit"``), or at once inside the writing transaction (``"inline"``). In the public form
every reference to another entry (``seq``, ``related``, a source's ``entry``/``receipt``) is that
entry's public ``seq``, never the internal ``id`` (for entries written before the split both are
equal, so their hashes are unchanged).

Format (API.md, documented for the public in docs/donations.md): each exported line is
``{"seq", "prev_hash", "hash", "entry"}``; ``prev_hash`` of seq 1 is 64 zeros and
``hash = sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()``.
The public form is rebuilt from the relational columns, so a row edited behind the ORM's back
no longer matches its hash.

Format 2 (``FORMAT``; docs/donations.md, "Chain format v2") adds ``"format": 2`` and
``"commitments"`` (salted hashes of the private fields; no ``"handler"`` any more) and gives
acknowledgements ``sources``: what arrived, per drawn lot of the allocation. Entries written
before keep format 1 (``LedgerEntry.chain_format``) and their hashes.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from donations.models import (
    GENESIS_HASH,
    ChainHead,
    EntrySource,
    Evidence,
    GoodsLine,
    LedgerEntry,
)

# The format new entries are written in (tests set 1 to build an old ledger).
FORMAT = 2
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
    entry: LedgerEntry,
    lines: Iterable,
    sources: Iterable,
    evidence: Iterable[str],
    seq_of: Mapping[int, int] | None = None,
) -> dict:
    """The chained public form: seqs, amounts as strings, times; never private donor details.

    ``sources`` yields ``EntrySource``-like objects with ``lot`` (``origin_id``,
    ``acquired_by_id``, ``item``, ``unit``), ``quantity`` and ``chosen_by_service``.
    ``seq_of`` maps the ids of the entries referred to (``related_id``, the lots' origin and
    acquiring entries) to their seqs; without it ids are taken as seqs (entries written before
    the identity split, and tests that build forms by hand). A reference missing from
    ``seq_of`` raises ``KeyError``: an entry is never hashed with an unresolved reference.
    """

    def ref(entry_id: int | None) -> int | None:
        if entry_id is None or seq_of is None:
            return entry_id
        return seq_of[entry_id]

    form = {
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
        "related": ref(entry.related_id),
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
                "entry": ref(source.lot.acquired_by_id),
                "receipt": ref(source.lot.origin_id),
                "item": source.lot.item,
                "unit": source.lot.unit,
                "quantity": quantity(source.quantity),
                "chosen_by_service": source.chosen_by_service,
            }
            for source in sources
        ],
        "evidence": sorted(evidence),
    }
    if (entry.chain_format or 1) >= 2:
        del form["handler"]
        form["format"] = entry.chain_format
        form["commitments"] = dict(entry.commitments or {})
    return form


def referenced_ids(entry, sources: Iterable) -> set[int]:
    """The ids of the entries ``entry``'s public form refers to."""
    ids = {entry.related_id} if entry.related_id else set()
    for source in sources:
        ids.update(i for i in (source.lot.acquired_by_id, source.lot.origin_id) if i)
    return ids


def seqs_of(ids: Iterable[int]) -> dict[int, int]:
    """``{id: seq}`` of the sequenced entries among ``ids`` (one query; none for no ids)."""
    ids = set(ids)
    if not ids:
        return {}
    return dict(LedgerEntry.objects.filter(id__in=ids, seq__isnull=False).values_list("id", "seq"))


def stored_form(entry: LedgerEntry) -> dict:
    """The public form of a saved entry (prefetch lines, sources__lot and evidence)."""
    sources = list(entry.sources.all())
    return public_form(
        entry,
        entry.lines.all(),
        sources,
        [e.sha256 for e in entry.evidence.all()],
        seq_of=seqs_of(referenced_ids(entry, sources)),
    )


def lock_head() -> ChainHead:
    """Take the chain head row lock (the sequencer's state; fixed order: last)."""
    ChainHead.objects.get_or_create(id=1)
    return ChainHead.objects.select_for_update().get(id=1)


def append(
    entry: LedgerEntry,
    *,
    lines: list,
    sources: list,
    evidence: list[str],
    sequence: Callable[..., None] | None = None,
) -> LedgerEntry:
    """Insert ``entry`` with its lines and sources, unsequenced unless ``sequence`` numbers it.

    Must run inside the caller's transaction, after any balance locks were taken; it does not
    touch the chain head. The services call ``donations.sequencer.append``, which passes
    ``sequence`` in inline mode (``sequencer.number_inline``: seq, prev_hash and hash set from
    ``lines``/``sources``/``evidence`` before the insert) and otherwise publishes the
    sequencing task for after the commit (``TONGZHOU_LEDGER_SEQUENCING``).
    """
    entry.chain_format = FORMAT
    entry.recorded_at = timezone.now()
    entry.seq = entry.prev_hash = entry.hash = entry.sequenced_at = None
    if sequence is not None:
        sequence(entry, lines=lines, sources=sources, evidence=evidence)
    entry.save()
    for position, line in enumerate(lines, start=1):
        line.entry = entry
        line.position = position
        line.save()
    for source in sources:
        source.entry = entry
        source.save()
    return entry


ENTRY_FIELDS = [
    "id", "seq", "kind", "holder_id", "counterparty_id", "incident_id", "purpose", "restricted",
    "amount", "goods_value", "occurred_at", "recorded_at", "donor_display", "donor_kind",
    "channel", "receipt_number", "handler", "trace_code", "donation_agreement", "region_code",
    "beneficiaries", "related_id", "shortfall", "reason", "filing_reference", "donor_consent",
    "commitments", "chain_format", "prev_hash", "hash",
]  # fmt: skip
LINE_FIELDS = [
    "entry_id", "name", "unit", "quantity", "unit_value", "spec", "quality_certificate",
    "expiry_date",
]  # fmt: skip
SOURCE_FIELDS = {
    "entry_id": "entry_id",
    "quantity": "quantity",
    "chosen_by_service": "chosen_by_service",
    "acquired_by_id": "lot__acquired_by_id",
    "origin_id": "lot__origin_id",
    "item": "lot__item",
    "unit": "lot__unit",
}


def _grouped(queryset, fields: list[str]) -> dict[int, list[SimpleNamespace]]:
    grouped: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for values in queryset.values_list(*fields):
        row = SimpleNamespace(**dict(zip(fields, values, strict=True)))
        grouped[row.entry_id].append(row)
    return grouped


def chain_rows(chunk_size: int = 2000, upto: int | None = None, after: int = 0) -> Iterator[dict]:
    """Every entry (after seq ``after``, up to seq ``upto``) as an export row, in seq order.

    Keyset-paginated in chunks of ``chunk_size`` entries, five plain queries a chunk (entries,
    lines, sources with their lots, evidence hashes, the seqs of the entries referred to) read
    as tuples: constant memory, and no per-object ORM work, so export and verification run at
    hashing speed. Only sequenced entries (``seq`` set) are rows of the chain.
    """
    while True:
        entries = LedgerEntry.objects.filter(seq__gt=after).order_by("seq")
        if upto is not None:
            entries = entries.filter(seq__lte=upto)
        chunk = [
            SimpleNamespace(**dict(zip(ENTRY_FIELDS, values, strict=True)))
            for values in entries.values_list(*ENTRY_FIELDS)[:chunk_size]
        ]
        if not chunk:
            return
        # Entries are addressed by their internal id; seq order is not id order (issue 16).
        window = {"entry_id__in": [entry.id for entry in chunk]}
        lines = _grouped(
            GoodsLine.objects.filter(**window).order_by("entry_id", "position"), LINE_FIELDS
        )
        sources: dict[int, list[SimpleNamespace]] = defaultdict(list)
        for values in (
            EntrySource.objects.filter(**window)
            .order_by("entry_id", "id")
            .values_list(*SOURCE_FIELDS.values())
        ):
            row = dict(zip(SOURCE_FIELDS, values, strict=True))
            lot = SimpleNamespace(
                acquired_by_id=row["acquired_by_id"],
                origin_id=row["origin_id"],
                item=row["item"],
                unit=row["unit"],
            )
            sources[row["entry_id"]].append(
                SimpleNamespace(
                    lot=lot, quantity=row["quantity"], chosen_by_service=row["chosen_by_service"]
                )
            )
        evidence: dict[int, list[str]] = defaultdict(list)
        for entry_id, sha in Evidence.objects.filter(**window).values_list("entry_id", "sha256"):
            evidence[entry_id].append(sha)
        refs = {entry.related_id for entry in chunk if entry.related_id}
        for rows in sources.values():
            refs.update(i for s in rows for i in (s.lot.acquired_by_id, s.lot.origin_id) if i)
        seq_of = seqs_of(refs)
        for entry in chunk:
            yield {
                "seq": entry.seq,
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
                "entry": public_form(
                    entry,
                    lines.get(entry.id, ()),
                    sources.get(entry.id, ()),
                    evidence.get(entry.id, ()),
                    seq_of=seq_of,
                ),
            }
        after = chunk[-1].seq


def verify(upto: int | None = None, each=None) -> tuple[int, int | None, str]:
    """Recompute the chain: (entries checked, first bad seq or None, what is wrong).

    ``upto`` checks only the first ``upto`` entries (a prefix: the head is not compared).
    ``each(row)``, if given, sees every row whose hash matched (balance reconciliation).
    """
    head = ChainHead.objects.filter(id=1).first()
    prefix = upto is not None and head is not None and upto < head.seq
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    # Up to the head read first: entries appended while verifying are left for the next run.
    for row in chain_rows(upto=upto if prefix else (head.seq if head else None)):
        count += 1
        if row["seq"] != expected_seq:
            return count, row["seq"], f"expected seq {expected_seq}"
        if row["prev_hash"] != prev:
            return count, row["seq"], "prev_hash does not match the previous entry's hash"
        if chain_hash(prev, row["entry"]) != row["hash"]:
            return count, row["seq"], "hash does not match the entry's content"
        if each is not None:
            each(row)
        prev = row["hash"]
        expected_seq += 1
    if prefix:
        return count, None, ""
    if head and (head.seq != count or head.head_hash != prev):
        return count, head.seq, "chain head does not match the last entry"
    # Appends since the start moved the head on; a row beyond the current head was not appended.
    now = ChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
    stray = (
        LedgerEntry.objects.filter(seq__gt=now)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if stray is not None:
        return count, stray, "entry beyond the chain head"
    return count, None, ""
