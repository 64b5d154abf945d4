"""Balances recomputed from the public chain alone, and compared with the server's lots.

A hash chain proves the entries were not changed; it says nothing about the ``Lot`` rows the
services draw on. So the balances are recomputed from the export's ``entry`` forms (the same
rules as the stand-alone snippet in README.md / docs/donations.md):

- a *position* is what one holder has of one receipt for one item, brought to it by one entry:
  ``(holder, via entry, receipt, item, unit)`` (money: item ``""``, unit ``"CNY"``);
- receipts, acknowledgements and changes of use credit positions (``via`` = themselves);
  allocations, disbursements and changes of use debit the positions their ``sources`` name;
  an allocation puts what it drew in transit, and its acknowledgement takes from that;
  a reversal gives back what a disbursement or allocation drew, or empties a receipt;
- no position, and nothing in transit, may ever go below zero: drawn per receipt <= received,
  per holder and item. The first entry that overdraws is a balance violation.

``compare_lots`` then sets the server's ``Lot`` rows (summed per position) against the
recomputation: an inflated or deflated lot is named even when nothing overdrew yet.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from donations import balances, chain
from donations.models import Evidence, Lot

ZERO = Decimal(0)


def _label(item: str) -> str:
    return item or "money"


@dataclass
class Recomputed:
    """Positions, what each was acquired with, goods in transit, and the violations found."""

    balance: dict = field(default_factory=lambda: defaultdict(Decimal))
    acquired: dict = field(default_factory=lambda: defaultdict(Decimal))
    transit: dict = field(default_factory=lambda: defaultdict(Decimal))
    kinds: dict = field(default_factory=dict)
    sent: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def _credit(self, key: tuple, quantity: Decimal, seq: int) -> None:
        self.balance[key] += quantity
        if key[1] == seq:
            self.acquired[key] += quantity

    def _debit(self, key: tuple, quantity: Decimal, seq: int) -> None:
        self.balance[key] -= quantity
        if self.balance[key] < 0:
            holder, via, receipt, item, _unit = key
            self.problems.append(
                f"balance violation at entry seq {seq}: it draws {quantity} of "
                f"{_label(item)} from receipt #{receipt} (via #{via}) of organization {holder}, "
                f"which had only {self.balance[key] + quantity} left"
            )

    def _debit_transit(self, key: tuple, quantity: Decimal, seq: int) -> None:
        self.transit[key] -= quantity
        if self.transit[key] < 0:
            self.problems.append(
                f"balance violation at entry seq {seq}: more {_label(key[2])} of receipt "
                f"#{key[1]} arrived than allocation #{key[0]} sent"
            )

    def apply(self, entry: dict) -> None:
        seq, kind, org = entry["seq"], entry["kind"], entry["organization"]
        self.kinds[seq] = kind
        sources = entry["sources"]

        def position(source, holder=org, via=None):
            return (
                holder,
                source["entry"] if via is None else via,
                source["receipt"],
                source["item"],
                source["unit"],
            )

        if kind == "receipt":
            for line in entry["lines"]:
                self._credit(
                    (org, seq, seq, line["name"], line["unit"]), Decimal(line["quantity"]), seq
                )
            if not entry["lines"]:
                self._credit((org, seq, seq, "", "CNY"), Decimal(entry["amount"]), seq)
        elif kind in ("allocation", "disbursement", "change_of_use"):
            for s in sources:
                self._debit(position(s), Decimal(s["quantity"]), seq)
            if kind == "allocation":
                self.sent[seq] = sources
                for s in sources:
                    self.transit[(seq, s["receipt"], s["item"], s["unit"])] += Decimal(
                        s["quantity"]
                    )
            if kind == "change_of_use":
                for s in sources:
                    self._credit(position(s, via=seq), Decimal(s["quantity"]), seq)
        elif kind == "acknowledgement":
            arrived = sources if entry.get("format", 1) >= 2 else self._derived_arrivals(entry)
            for s in arrived:
                quantity = Decimal(s["quantity"])
                self._debit_transit(
                    (entry["related"], s["receipt"], s["item"], s["unit"]), quantity, seq
                )
                self._credit(position(s, via=seq), quantity, seq)
        elif kind in ("recovery", "write_off", "replacement"):
            # A shortfall resolved: out of transit; back to the sender's position (recovery),
            # gone (write-off), or into the receiver's new position (replacement).
            for s in sources:
                quantity = Decimal(s["quantity"])
                key = (entry["related"], s["receipt"], s["item"], s["unit"])
                self._debit_transit(key, quantity, seq)
                if kind == "recovery":
                    self._credit(position(s), quantity, seq)
                elif kind == "replacement":
                    self._credit(position(s, via=seq), quantity, seq)
        elif kind == "reversal":
            reversed_kind = self.kinds.get(entry["related"])
            for s in sources:
                quantity = Decimal(s["quantity"])
                if reversed_kind == "receipt":
                    self._debit(position(s), quantity, seq)
                    continue
                self._credit(position(s), quantity, seq)
                if reversed_kind == "allocation":
                    key = (entry["related"], s["receipt"], s["item"], s["unit"])
                    self._debit_transit(key, quantity, seq)

    def _derived_arrivals(self, entry: dict) -> list[dict]:
        """Format 1 acknowledgements name no sources: the service's rule, replayed (what
        arrived is taken from the allocation's draws in order, per item and unit)."""
        left: dict = defaultdict(Decimal)
        for line in entry["lines"]:
            left[(line["name"], line["unit"])] += Decimal(line["quantity"])
        left[("", "CNY")] += Decimal(entry["amount"])
        arrived = []
        for s in self.sent.get(entry["related"], []):
            key = (s["item"], s["unit"])
            got = min(left[key], Decimal(s["quantity"]))
            if got > 0:
                arrived.append({**s, "quantity": str(got)})
                left[key] -= got
        return arrived


def recompute(rows) -> Recomputed:
    """Balances from export rows (``{"seq", "prev_hash", "hash", "entry"}``), in seq order."""
    result = Recomputed()
    for row in rows:
        result.apply(row["entry"])
    return result


def compare_lots(result: Recomputed) -> list[str]:
    """The server's lots, summed per position, against the recomputation: every mismatch.

    The chain names entries by seq (issue 16: ids and seqs differ), so the lots' receipt and
    acquiring entry are read as their seqs (null for an entry not sequenced yet)."""
    server = {
        (r["holder_id"], r["via"], r["receipt"], r["item"], r["unit"]): r
        for r in Lot.objects.values(
            "holder_id", "item", "unit", via=F("acquired_by__seq"), receipt=F("origin__seq")
        )
        .annotate(quantity_sum=Sum("quantity"), remaining_sum=Sum("remaining"))
        .order_by()
    }
    problems = []
    for key in sorted(set(server) | set(result.balance), key=str):
        row = server.get(key, {})
        held, quantity = row.get("remaining_sum") or ZERO, row.get("quantity_sum") or ZERO
        expected, acquired = result.balance.get(key, ZERO), result.acquired.get(key, ZERO)
        if held != expected or quantity != acquired:
            holder, via, receipt, item, _unit = key
            problems.append(
                f"lot mismatch: organization {holder}, {_label(item)} of receipt #{receipt} "
                f"(via #{via}): the server holds {held} of {quantity}, the chain says "
                f"{expected} of {acquired}"
            )
    return problems


def check_evidence() -> list[str]:
    """Re-hash every evidence file against the SHA-256 the chain carries for it."""
    problems = []
    for evidence in (
        Evidence.objects.select_related("entry").order_by("entry_id", "id").iterator(chunk_size=500)
    ):
        digest = hashlib.sha256()
        try:
            with evidence.file.open("rb") as handle:
                for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                    digest.update(chunk)
        except (FileNotFoundError, OSError, ValueError):
            problems.append(f"evidence {evidence.pk} of entry seq {evidence.entry.seq} is missing")
            continue
        if digest.hexdigest() != evidence.sha256:
            problems.append(
                f"evidence {evidence.pk} of entry seq {evidence.entry.seq} does not match its hash"
            )
    return problems


def verify_all() -> tuple[int, list[str]]:
    """Hashes, balances recomputed from the chain, the server's lots, evidence files: (entries,
    problems). One pass over the chain."""
    result = Recomputed()
    count, bad_seq, problem = chain.verify(each=lambda row: result.apply(row["entry"]))
    problems = []
    if bad_seq is not None:
        problems.append(f"Ledger chain broken at entry seq {bad_seq}: {problem}")
        return count, problems
    with transaction.atomic():
        # Lots move with the business write, entries join the chain after commit (issue 16):
        # sequence what is committed, then under the head lock replay what was sequenced since
        # the pass above; the lots and the recomputation then describe the same ledger, unless
        # a business write commits meanwhile (a mismatch then clears on the next run).
        from donations import sequencer

        sequencer.sequence_pending(limit=None, wait=True)
        head = chain.lock_head()
        for row in chain.chain_rows(after=count, upto=head.seq):
            result.apply(row["entry"])
        problems += result.problems
        problems += compare_lots(result)
    problems += check_evidence()
    return count, problems


def export_books(rows) -> "balances.Books":
    """The books (``donations.balances.Books``) recomputed from export rows alone, by the rules
    the server's ``balances.books`` applies to its lots: what a position is worth comes from
    its receipt's goods line (``unit_value``; money at 1), which incident it serves from the
    entry that opened it (a receipt's incident; an arrival or a change of use: the entry's
    incident, else the lot's). Reversed entries and reversals leave the books untouched.
    """
    rows = list(rows)
    reversed_ = {r["entry"]["related"] for r in rows if r["entry"]["kind"] == "reversal"}
    result = Recomputed()
    books = balances.Books()
    value: dict = {}
    incident_of: dict = {}
    kinds: dict = {}
    sent: dict = {}

    def worth(s) -> Decimal:
        return Decimal(s["quantity"]) * value.get((s["receipt"], s["item"], s["unit"]), ZERO)

    for row in rows:
        entry = row["entry"]
        seq, kind, org = entry["seq"], entry["kind"], entry["organization"]
        kinds[seq] = entry
        live = seq not in reversed_ and kind != "reversal"
        if kind == "receipt":
            lines = entry["lines"] or [
                {"name": "", "unit": "CNY", "quantity": entry["amount"], "unit_value": "1"}
            ]
            for line in lines:
                key = (seq, line["name"], line["unit"])
                value[key] = Decimal(line["unit_value"])
                incident_of[(org, seq, *key)] = entry["incident"]
                if live:
                    books.receipt(
                        org,
                        entry["incident"],
                        line["name"] == "",
                        Decimal(line["quantity"]) * value[key],
                    )
        elif kind in ("allocation", "disbursement", "change_of_use"):
            if kind == "allocation":
                sent[seq] = entry["sources"]
            for s in entry["sources"]:
                lot_incident = incident_of.get(
                    (org, s["entry"], s["receipt"], s["item"], s["unit"])
                )
                target = entry["incident"] if entry["incident"] is not None else lot_incident
                if kind == "change_of_use":
                    incident_of[(org, seq, s["receipt"], s["item"], s["unit"])] = target
                if live:
                    books.draw(kind, org, target, lot_incident, s["item"] == "", worth(s))
        elif kind in ("acknowledgement", "replacement", "recovery", "write_off"):
            allocation = kinds[entry["related"]]
            sender = allocation["organization"]
            arrived = entry["sources"]
            if kind == "acknowledgement" and entry.get("format", 1) < 2:
                arrived = result._derived_arrivals(entry)
            for s in arrived:
                lot_incident = incident_of.get(
                    (sender, s["entry"], s["receipt"], s["item"], s["unit"])
                )
                target = (
                    allocation["incident"] if allocation["incident"] is not None else lot_incident
                )
                if kind in ("acknowledgement", "replacement"):
                    incident_of[(org, seq, s["receipt"], s["item"], s["unit"])] = target
                    books.arrival(org, sender, target, s["item"] == "", worth(s))
                else:
                    books.resolve(kind, sender, target, lot_incident, s["item"] == "", worth(s))
        result.apply(entry)
    for key, remaining in result.balance.items():
        holder, via, receipt, item, unit = key
        worth_each = value.get((receipt, item, unit), ZERO)
        books.held(holder, incident_of.get(key), item == "", remaining * worth_each)
    return books
