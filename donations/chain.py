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

import gc
import hashlib
import json
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection
from django.utils import timezone

from donations.models import (
    GENESIS_HASH,
    ChainHead,
    EntrySource,
    Evidence,
    GoodsLine,
    LedgerEntry,
    Lot,
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
    """Take the chain head row lock (the sequencer's state; fixed order: last). The row is
    created once, by the first call on an empty ledger; afterwards the lock is one query."""
    try:
        return ChainHead.objects.select_for_update().get(id=1)
    except ChainHead.DoesNotExist:
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
# What the public form names by seq is read through the join (the related entry's seq, the
# seqs of a lot's receipt and acquiring entry), never assumed equal to a primary key.
ENTRY_VALUES = [f if f != "related_id" else "related__seq" for f in ENTRY_FIELDS]
LINE_FIELDS = [
    "entry_id", "name", "unit", "quantity", "unit_value", "spec", "quality_certificate",
    "expiry_date",
]  # fmt: skip
LINE_VALUES = ["entry__seq", *LINE_FIELDS[1:]]
_Entry = namedtuple("_Entry", ENTRY_FIELDS)
_Lot = namedtuple("_Lot", ["acquired_by_id", "origin_id", "item", "unit"])
_Source = namedtuple("_Source", ["lot", "quantity", "chosen_by_service"])
_MISSING_LOT = _Lot(None, None, "", "")


def _grouped(queryset, fields: list[str], names: list[str]) -> dict[int, list[SimpleNamespace]]:
    grouped: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for values in queryset.values_list(*fields):
        row = SimpleNamespace(**dict(zip(names, values, strict=True)))
        grouped[row.entry_id].append(row)
    return grouped


def _entries_pg(after: int, upto: int | None, limit: int) -> list:
    """One chunk of entries as plain tuples straight from psycopg2 (PostgreSQL): no Django
    converters (they cost more than the hashing), amounts as the database's exact text
    (``numeric(14,2)`` prints two decimals, as ``money`` does), commitments parsed only when
    not empty, ``related`` as the related entry's seq through a join."""
    meta = LedgerEntry._meta
    table, pk = meta.db_table, meta.pk.column
    columns = []
    for name in ENTRY_FIELDS:
        if name == "related_id":
            columns.append(f'r."{meta.get_field("seq").column}"')
        elif name in ("amount", "goods_value"):
            columns.append(f'e."{name}"::text')
        elif name == "commitments":
            columns.append("""NULLIF(e."commitments"::text, '{}')""")
        else:
            columns.append(f'e."{meta.get_field(name.removesuffix("_id")).column}"')
    sql = (
        f"SELECT {', '.join(columns)} FROM {table} e "  # noqa: S608 (names from the model)
        f'LEFT JOIN {table} r ON r."{pk}" = e."related_id" '
        f'WHERE e."seq" > %s'
        + (' AND e."seq" <= %s' if upto is not None else "")
        + ' ORDER BY e."seq" LIMIT %s'
    )
    params = [after, *([upto] if upto is not None else []), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    make, loads = _Entry._make, json.loads
    chunk = [make(values) for values in rows]
    for i, entry in enumerate(chunk):
        if entry.commitments is not None:
            chunk[i] = entry._replace(commitments=loads(entry.commitments))
    return chunk


def _entries_orm(after: int, upto: int | None, limit: int) -> list:
    entries = LedgerEntry.objects.filter(seq__gt=after).order_by("seq")
    if upto is not None:
        entries = entries.filter(seq__lte=upto)
    return [_Entry._make(values) for values in entries.values_list(*ENTRY_VALUES)[:limit]]


def _chunk(after: int, upto: int | None, chunk_size: int) -> tuple | None:
    """(entries, lines, sources, evidence) of the chunk of ``chunk_size`` entries after seq
    ``after``, or None past the end: five plain queries (entries, lines, sources, their lots,
    evidence), the related rows grouped by their entry's seq."""
    fetch = _entries_pg if connection.vendor == "postgresql" else _entries_orm
    chunk = fetch(after, upto, chunk_size)
    if not chunk:
        return None
    window = {"entry__seq__gt": after, "entry__seq__lte": chunk[-1].seq}
    lines = _grouped(
        GoodsLine.objects.filter(**window).order_by("entry__seq", "position"),
        LINE_VALUES,
        LINE_FIELDS,
    )
    # Sources, then their lots by primary key: a join here lets the planner hash-join by
    # scanning every lot for each chunk (a million-entry ledger has half a million lots).
    drawn = list(
        EntrySource.objects.filter(**window)
        .order_by("entry__seq", "id")
        .values_list("entry__seq", "quantity", "chosen_by_service", "lot_id")
    )
    # A lot whose entry or whose own row was deleted behind the services' back is still read
    # (its missing references become null): the drawing entry's hash then names it.
    lots = {}
    if drawn:
        rows = list(
            Lot.objects.filter(id__in={row[3] for row in drawn}).values_list(
                "id", "acquired_by_id", "origin_id", "item", "unit"
            )
        )
        seq_of = seqs_of({row[1] for row in rows} | {row[2] for row in rows})
        lots = {
            lot_id: _Lot(seq_of.get(acquired), seq_of.get(origin), item, unit)
            for lot_id, acquired, origin, item, unit in rows
        }
    sources: dict[int, list] = defaultdict(list)
    for seq, quantity, chosen, lot_id in drawn:
        sources[seq].append(_Source(lots.get(lot_id, _MISSING_LOT), quantity, chosen))
    evidence: dict[int, list[str]] = defaultdict(list)
    for seq, sha in Evidence.objects.filter(**window).values_list("entry__seq", "sha256"):
        evidence[seq].append(sha)
    return chunk, lines, sources, evidence


def _close_connection() -> None:
    connection.close()  # resolved in the thread that runs it: that thread's own connection


def _chunks(chunk_size: int, upto: int | None, after: int) -> Iterator[tuple]:
    """Every chunk (``_chunk``) after seq ``after`` up to seq ``upto``, in seq order.

    On PostgreSQL outside a transaction (the export, ``verify_ledger``, the bench), the next
    chunk is read on a second connection in a helper thread while the caller hashes this one:
    the driver releases the interpreter lock while PostgreSQL works, so the database's half of
    the time overlaps the hashing. Sequenced entries never change (the append-only triggers),
    so both connections read the same rows. Inside a transaction (the tests, a caller's atomic
    block) a second connection would not see its uncommitted rows: chunks are read in line.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        while (got := _chunk(after, upto, chunk_size)) is not None:
            yield got
            after = got[0][-1].seq
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chain-prefetch") as pool:
        try:
            pending = pool.submit(_chunk, after, upto, chunk_size)
            while (got := pending.result()) is not None:
                pending = pool.submit(_chunk, got[0][-1].seq, upto, chunk_size)
                yield got
        finally:
            pool.submit(_close_connection).result()


def chain_rows(chunk_size: int = 5000, upto: int | None = None, after: int = 0) -> Iterator[dict]:
    """Every entry (after seq ``after``, up to seq ``upto``) as an export row, in seq order.

    Keyset-paginated by seq in chunks of ``chunk_size`` entries, four plain queries a chunk
    (entries, lines, sources with their lots, evidence hashes) read as tuples: constant memory,
    and no per-object ORM work, so export and verification run at hashing speed. On PostgreSQL
    the entries come straight from the driver (``_entries_pg``).
    """
    for chunk, lines, sources, evidence in _chunks(chunk_size, upto, after):
        for entry in chunk:
            yield {
                "seq": entry.seq,
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
                "entry": public_form(
                    entry,
                    lines.get(entry.seq, ()),
                    sources.get(entry.seq, ()),
                    evidence.get(entry.seq, ()),
                ),
            }


_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_STR = json.encoder.encode_basestring  # the C escaper ``ensure_ascii=False`` uses


def _int(value) -> str:
    return "null" if value is None else str(value)


def _when(value) -> str:
    if value is None:
        return "null"
    return '"' + (value.isoformat() if value.tzinfo is UTC else moment(value)) + '"'


def _money(value) -> str:
    # PostgreSQL's ``numeric(14,2)::text`` already has exactly two decimals, as ``money`` gives.
    return '"' + (value if isinstance(value, str) else money(value)) + '"'


def _fast_canonical(e, lines, sources, evidence) -> str:
    """``canonical(public_form(...))`` built as text, without the intermediate dict: the key
    order is fixed (sorted), so each value is escaped by the C JSON escaper and joined. Used by
    ``verify`` only, and checked against ``canonical(public_form(...))`` on rows of every shape
    it meets (``_FastCheck``): a difference switches the run back to the reference path."""
    if lines:
        lines_text = _ENCODE(
            [
                {
                    "name": ln.name,
                    "unit": ln.unit,
                    "quantity": quantity(ln.quantity),
                    "unit_value": money(ln.unit_value),
                    "spec": ln.spec,
                    "quality_certificate": ln.quality_certificate,
                    "expiry_date": day(ln.expiry_date),
                }
                for ln in lines
            ]
        )
    else:
        lines_text = "[]"
    if sources:
        sources_text = _ENCODE(
            [
                {
                    "entry": s.lot.acquired_by_id,
                    "receipt": s.lot.origin_id,
                    "item": s.lot.item,
                    "unit": s.lot.unit,
                    "quantity": quantity(s.quantity),
                    "chosen_by_service": s.chosen_by_service,
                }
                for s in sources
            ]
        )
    else:
        sources_text = "[]"
    evidence_text = _ENCODE(sorted(evidence)) if evidence else "[]"
    fmt = e.chain_format or 1
    if fmt >= 2:
        middle = (
            ',"commitments":'
            + (_ENCODE(dict(e.commitments)) if e.commitments else "{}")
            + ',"currency":"CNY","donation_agreement":'
        )
    else:
        middle = ',"currency":"CNY","donation_agreement":'
    after_evidence = (
        ',"filing_reference":' + _STR(e.filing_reference) + ',"format":' + str(fmt)
        if fmt >= 2
        else ',"filing_reference":' + _STR(e.filing_reference)
    )
    handler = "" if fmt >= 2 else ',"handler":' + _STR(e.handler)
    return "".join(
        (
            '{"amount":', _money(e.amount),
            ',"beneficiaries":', str(e.beneficiaries),
            ',"channel":', _STR(e.channel),
            middle, "true" if e.donation_agreement else "false",
            ',"donor_consent":', "true" if e.donor_consent else "false",
            ',"donor_display":', _STR(e.donor_display),
            ',"donor_kind":', _STR(e.donor_kind),
            ',"evidence":', evidence_text,
            after_evidence,
            ',"goods_value":', _money(e.goods_value),
            handler,
            ',"incident":', _int(e.incident_id),
            ',"kind":', _STR(e.kind),
            ',"lines":', lines_text,
            ',"occurred_at":', _when(e.occurred_at),
            ',"organization":', _int(e.holder_id),
            ',"purpose":', _STR(e.purpose),
            ',"reason":', _STR(e.reason),
            ',"receipt_number":', _STR(e.receipt_number),
            ',"recorded_at":', _when(e.recorded_at),
            ',"region_code":', _STR(e.region_code),
            ',"related":', _int(e.related_id),
            ',"restricted":', "true" if e.restricted else "false",
            ',"seq":', str(e.seq),
            ',"shortfall":', "true" if e.shortfall else "false",
            ',"sources":', sources_text,
            ',"to_organization":', _int(e.counterparty_id),
            ',"trace_code":', "null" if e.trace_code is None else _STR(e.trace_code),
            "}",
        )
    )  # fmt: skip


class _FastCheck:
    """Holds ``_fast_canonical`` to the reference: the first row of each shape (format, with or
    without lines, sources, evidence, commitments) is built both ways; one difference and the
    rest of the run uses ``canonical(public_form(...))`` only."""

    def __init__(self) -> None:
        self.seen: set[tuple] = set()
        self.trusted = True

    def text(self, e, lines, sources, evidence, form: dict | None) -> str:
        if self.trusted:
            fast = _fast_canonical(e, lines, sources, evidence)
            shape = (
                e.chain_format,
                bool(lines),
                bool(sources),
                bool(evidence),
                bool(e.commitments),
            )
            if shape not in self.seen:
                reference = _ENCODE(form or public_form(e, lines, sources, evidence))
                if fast != reference:
                    self.trusted = False
                    return reference
                self.seen.add(shape)
            return fast
        return _ENCODE(form or public_form(e, lines, sources, evidence))


# ``verify`` splits a long chain between processes from this many entries up (below it one
# process is done before the others have started), at multiples of ``2 ** SPLIT_LEVEL`` leaves:
# each process checks the tree's levels under ``SPLIT_LEVEL`` over its own leaves.
PARALLEL_FROM = 200_000
SPLIT_LEVEL = 16


def verify(
    upto: int | None = None, each=None, tree: bool = True, workers: int | None = None
) -> tuple[int, int | None, str]:
    """Recompute the chain, tree and newest head (``_verify``) with the cyclic garbage collector
    paused: the pass allocates millions of short-lived tuples and no reference cycles, and
    the collector's passes over a growing heap cost a quarter of its CPU at a million
    entries.

    ``workers`` processes share a long chain (``_ranges``; by default one per core from
    ``PARALLEL_FROM`` entries, ``workers=1`` for one process); the answer is the same as one
    process gives, down to the entry named and the count."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _verify(upto, each, tree, workers)
    finally:
        if enabled:
            gc.enable()


def _check_range(
    after: int, limit: int | None, prev: str, each, keep: Callable[[bytes], None]
) -> tuple[int, int | None, str, str, int]:
    """Check the entries after seq ``after`` up to seq ``limit``, the first one chained to
    ``prev``: (entries checked, first bad seq or None, what is wrong, the last hash, the last
    seq seen). Each verified chain hash goes to ``keep`` (the tree's leaves)."""
    expected_seq = after + 1
    count = 0
    sha256, fromhex, check = hashlib.sha256, bytes.fromhex, _FastCheck()
    for chunk, lines, sources, evidence in _chunks(5000, limit, after):
        for e in chunk:
            count += 1
            seq, chained = e.seq, e.hash
            if seq != expected_seq:
                return count, seq, f"expected seq {expected_seq}", prev, seq
            if e.prev_hash != prev:
                return count, seq, "prev_hash does not match the previous entry's hash", prev, seq
            got = lines.get(seq, ()), sources.get(seq, ()), evidence.get(seq, ())
            form = public_form(e, *got) if each is not None else None
            body = check.text(e, *got, form)
            if sha256((prev + body).encode()).hexdigest() != chained:
                return count, seq, "hash does not match the entry's content", prev, seq
            if each is not None:
                each({"seq": seq, "prev_hash": prev, "hash": chained, "entry": form})
            keep(fromhex(chained))
            prev = chained
            expected_seq += 1
    return count, None, "", prev, expected_seq - 1


def _verify(upto: int | None, each, tree: bool, workers: int | None) -> tuple[int, int | None, str]:
    """Recompute the chain, then the Merkle tree and the newest signed head: (entries checked,
    first bad seq or None, what is wrong).

    ``upto`` checks only the first ``upto`` entries (a prefix: the head is not compared, the
    tree only as far as the prefix; always one pass). ``each(row)``, if given, sees every row
    whose hash matched (balance reconciliation; only then is the public form built as a dict);
    when the chain is split between processes (``_ranges``) it sees every row up to the head
    while the workers check the hashes, so what it computed stands only if the chain verifies
    (``reconcile.verify_all`` then reports the break alone, as after one pass). ``tree=False``
    skips the tree and head (``donations.transparency.verify_tree``). Rows come as plain tuples
    (``_chunks``), the canonical text is built directly (``_fast_canonical``, held to the
    reference by ``_FastCheck``) and hashed by ``hashlib`` in C.
    """
    from donations import transparency

    head = ChainHead.objects.filter(id=1).first()
    prefix = upto is not None and head is not None and upto < head.seq
    # Up to the head read first: entries appended while verifying are left for the next run.
    limit = upto if prefix else (head.seq if head else None)
    ranges = _ranges(limit, workers) if not prefix else None
    if ranges:
        size = min(transparency.tree_size(), limit or 0) if tree else 0

        def replay() -> None:
            for row in chain_rows(upto=limit):
                each(row)

        count, bad, problem, prev, levels, node_bad = _verify_ranges(
            ranges, size, replay if each is not None else None
        )
    else:
        leaves: list[bytes] = []
        count, bad, problem, prev, _last = _check_range(0, limit, GENESIS_HASH, each, leaves.append)
    if bad is not None:
        return count, bad, problem
    if not prefix:
        if head and (head.seq != count or head.head_hash != prev):
            return count, head.seq, "chain head does not match the last entry"
        # Appends since the start moved the head on; a row beyond the current head was not
        # appended.
        now = ChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
        stray = (
            LedgerEntry.objects.filter(seq__gt=now)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        if stray is not None:
            return count, stray, "entry beyond the chain head"
    if tree:
        if ranges:
            if node_bad is None:
                _rest, node_bad = transparency.check_levels(levels, SPLIT_LEVEL)
            bad, problem = (
                transparency.node_problem(*node_bad)
                if node_bad is not None
                else transparency.check_head(size)
            )
        else:
            bad, problem = transparency.verify_tree(leaves)
        if bad is not None:
            return count, bad, problem
    return count, None, ""


def _ranges(limit: int | None, workers: int | None) -> list[tuple[int, int]] | None:
    """The seq ranges ``(after, upto]`` that ``workers`` processes verify side by side, or None
    for one process: SQLite (``make demo``), inside a transaction (a second connection would
    not see its rows), in a daemon process (a Celery worker's child may not fork) or for a
    short chain. Every range but the last holds a multiple of ``2 ** SPLIT_LEVEL`` entries."""
    import multiprocessing
    import os

    if workers is None:
        workers = (os.cpu_count() or 1) if (limit or 0) >= PARALLEL_FROM else 1
    if (
        workers < 2
        or not limit
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or multiprocessing.current_process().daemon
    ):
        return None
    align = 1 << SPLIT_LEVEL
    step = -(-limit // workers // align) * align or align
    ranges = [(after, min(after + step, limit)) for after in range(0, limit, step)]
    return ranges if len(ranges) > 1 else None


def _verify_range(after: int, upto: int, tree_size: int) -> tuple:
    """One worker's share of ``verify``: the entries after seq ``after`` up to ``upto``, chained
    from the stored hash of entry ``after``, then the tree's levels under ``SPLIT_LEVEL`` over
    their leaves (those within ``tree_size``). Returns ``_check_range``'s answer, the hash it
    started from, the range's first seq (None if it holds no entry), the level-``SPLIT_LEVEL``
    hashes and the first bad node (``transparency.check_levels``)."""
    from donations import merkle, transparency

    gc.disable()
    try:
        start = (
            GENESIS_HASH
            if after == 0
            else LedgerEntry.objects.filter(seq=after).values_list("hash", flat=True).first()
        )
        first = (
            LedgerEntry.objects.filter(seq__gt=after, seq__lte=upto)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        leaves: list[bytes] = []
        checked = _check_range(after, upto, start or "", None, leaves.append)
        rest: list[bytes] = []
        node_bad = None
        if checked[1] is None and tree_size > after:
            leaf = merkle.leaf_hash
            rest, node_bad = transparency.check_levels(
                [leaf(h) for h in leaves[: tree_size - after]], 0, after, SPLIT_LEVEL
            )
        return (*checked, start, first, rest, node_bad)
    finally:
        connection.close()


def _verify_ranges(
    ranges: list[tuple[int, int]], tree_size: int, during: Callable[[], None] | None = None
) -> tuple:
    """Run ``_verify_range`` on each range in a process of its own (forked: the parent's
    connections are closed first, each child opens its own), ``during()`` in this process
    meanwhile, and put the answers together as one pass would have given them: (entries
    checked, first bad seq or None, what is wrong, the last hash, the hashes at level
    ``SPLIT_LEVEL`` over every range, the first bad node under that level or None)."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:
        pending = pool.starmap_async(_verify_range, [(a, b, tree_size) for a, b in ranges])
        if during is not None:
            during()
        results = pending.get()
    count, prev, last_seq = 0, GENESIS_HASH, 0
    levels: list[bytes] = []
    node_bad = None
    for (after, _upto), got in zip(ranges, results, strict=True):
        checked, bad, problem, last_hash, seen_last, start, first, rest, range_bad = got
        if first is None:  # no entry in this range: the next range's first entry tells
            continue
        if last_seq != after:  # the ranges before ended early: one pass stops here
            return count + 1, first, f"expected seq {last_seq + 1}", prev, [], None
        if start != prev:  # entry ``after`` changed between the two reads
            return (
                count + 1,
                first,
                "prev_hash does not match the previous entry's hash",
                prev,
                [],
                None,
            )
        count += checked
        if bad is not None:
            return count, bad, problem, prev, [], None
        prev, last_seq = last_hash, seen_last
        levels.extend(rest)
        if range_bad is not None and (node_bad is None or range_bad[:2] < node_bad[:2]):
            node_bad = range_bad
    return count, None, "", prev, levels, node_bad
