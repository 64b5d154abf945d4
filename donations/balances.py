"""Balances: lots are locked (select_for_update, by id) and drawn on inside the caller's
transaction, so no receipt, holder or purpose can go below zero even under concurrency."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.states import Conflict
from donations.models import EntrySource, LedgerEntry, Lot


class RestrictedPurpose(Conflict):
    code = "restricted_purpose"


class InsufficientBalance(Conflict):
    code = "insufficient_balance"


class OtherIncident(RestrictedPurpose):
    """What is left was given for another incident: it needs a change of use first."""

    code = "other_incident"


@dataclass(frozen=True)
class Want:
    """A requested quantity of one item ("" = money) for an outgoing entry."""

    item: str
    unit: str
    quantity: Decimal


def compatible(lot: Lot, *, incident_id: int | None, purpose: str) -> bool:
    """Restricted (定向) lots may serve only their own incident and purpose."""
    if not lot.restricted:
        return True
    if lot.incident_id and lot.incident_id != incident_id:
        return False
    return not (lot.purpose and lot.purpose != purpose)


def _label(item: str) -> str:
    return item or _("money")


def draw(
    *,
    holder_id: int,
    wants: list[Want],
    named: list[dict] | None,
    incident_id: int | None,
    purpose: str,
) -> list[EntrySource]:
    """Lock and decrement lots covering ``wants``; return the (unsaved) source rows.

    ``named`` sources are ``{"entry": id, "item": name, "quantity": Decimal}``: lots the holder
    acquired by that entry. Without them, ``attribution_order`` chooses.
    """
    items = {w.item for w in wants}
    base = Lot.objects.select_for_update().filter(holder_id=holder_id, item__in=items)
    if named:
        base = base.filter(acquired_by_id__in={n["entry"] for n in named})
    else:
        base = base.filter(remaining__gt=0)
    locked = sorted(base.order_by("id"), key=lambda lot: (lot.acquired_at, lot.id))
    sources: list[EntrySource] = []
    if named:
        per_item: dict[str, Decimal] = {}
        for n in named:
            per_item[n["item"]] = per_item.get(n["item"], Decimal(0)) + n["quantity"]
        for w in wants:
            if per_item.get(w.item, Decimal(0)) != w.quantity:
                raise ValidationError(
                    {
                        "sources": [
                            _("The sources must add up to the quantity of %(item)s.")
                            % {"item": _label(w.item)}
                        ]
                    }
                )
        for n in named:
            lots = [
                lot for lot in locked if lot.acquired_by_id == n["entry"] and lot.item == n["item"]
            ]
            if not lots:
                raise ValidationError(
                    {
                        "sources": [
                            _("Entry #%(seq)s holds no %(item)s of this organization.")
                            % {"seq": n["entry"], "item": _label(n["item"])}
                        ]
                    }
                )
            for lot in lots:
                if (
                    incident_id
                    and lot.incident_id not in (None, incident_id)
                    and not lot.restricted
                ):
                    raise OtherIncident(
                        _("Entry #%(seq)s was given for another incident: change its use first.")
                        % {"seq": n["entry"]}
                    )
                if not compatible(lot, incident_id=incident_id, purpose=purpose):
                    raise RestrictedPurpose(
                        _("Entry #%(seq)s is restricted to another incident or purpose.")
                        % {"seq": n["entry"]}
                    )
            sources += _take(lots, n["item"], n["quantity"], chosen=False)
        if not incident_id and len({s.lot.incident_id for s in sources} - {None}) > 1:
            raise ValidationError(
                {"sources": [_("These sources were given for different incidents: name one.")]}
            )
        return sources
    for w in wants:
        lots = [lot for lot in locked if lot.item == w.item and (not w.unit or lot.unit == w.unit)]
        usable = attribution_order(lots, incident_id=incident_id, purpose=purpose)
        usable_total = sum((lot.remaining for lot in usable), Decimal(0))
        if usable_total < w.quantity <= sum((lot.remaining for lot in lots), Decimal(0)):
            if any(
                lot.incident_id not in (None, incident_id) and not lot.restricted for lot in lots
            ):
                raise OtherIncident(
                    _(
                        "The rest of the %(item)s was given for another incident: name this "
                        "incident, or change its use first (change of use)."
                    )
                    % {"item": _label(w.item)}
                )
            raise RestrictedPurpose(
                _("Only restricted %(item)s for another incident or purpose is left.")
                % {"item": _label(w.item)}
            )
        sources += _take(usable, w.item, w.quantity, chosen=True)
    return sources


def attribution_order(lots: list[Lot], *, incident_id: int | None, purpose: str) -> list[Lot]:
    """The lots an outgoing entry may draw on when its sources are not named, in the order the
    service takes them (oldest first within each tier):

    1. restricted (定向) lots of the same incident and purpose (a public fundraising campaign's
       receipts are restricted to it, ``Campaign``);
    2. the other lots given for the same incident;
    3. lots given without an incident.

    Lots given for another incident are never reached: money and goods given for an incident
    stay that incident's until they are used or a change of use moves them
    (docs/DOMAIN.md, "Attribution"). Without an incident, only tier 3 (and lots restricted to
    this purpose alone) serve.
    """
    tiers: list[list[Lot]] = [[], [], []]
    for lot in lots:
        if lot.incident_id not in (None, incident_id):
            continue
        if not compatible(lot, incident_id=incident_id, purpose=purpose):
            continue
        if lot.restricted and lot.incident_id == incident_id:
            tiers[0].append(lot)
        elif lot.incident_id is not None:
            tiers[1].append(lot)
        else:
            tiers[2].append(lot)
    return [lot for tier in tiers for lot in sorted(tier, key=lambda x: (x.acquired_at, x.id))]


def _take(lots: list[Lot], item: str, wanted: Decimal, *, chosen: bool) -> list[EntrySource]:
    sources = []
    left = wanted
    for lot in lots:
        if left <= 0:
            break
        take = min(lot.remaining, left)
        if take <= 0:
            continue
        lot.remaining -= take
        lot.save(update_fields=["remaining"])
        sources.append(EntrySource(lot=lot, quantity=take, chosen_by_service=chosen))
        left -= take
    if left > 0:
        raise InsufficientBalance(
            _("Not enough %(item)s: %(missing)s short.") % {"item": _label(item), "missing": left}
        )
    return sources


def give_back(sources: list[EntrySource]) -> list[EntrySource]:
    """Lock the lots an entry drew on and restore what it took (for a reversal)."""
    ids = sorted({s.lot_id for s in sources})
    lots = {
        lot.id: lot for lot in Lot.objects.select_for_update().filter(id__in=ids).order_by("id")
    }
    restored = []
    for source in sources:
        lot = lots[source.lot_id]
        lot.remaining += source.quantity
        lot.save(update_fields=["remaining"])
        restored.append(EntrySource(lot=lot, quantity=source.quantity))
    return restored


def empty_untouched(lots_qs) -> list[EntrySource]:
    """Lock lots an entry created and zero them; refuse if any was drawn on already."""
    lots = list(lots_qs.select_for_update().order_by("id"))
    for lot in lots:
        if lot.remaining != lot.quantity:
            raise Conflict(
                _("Part of this entry was already used; reverse the later entries first.")
            )
    sources = []
    for lot in lots:
        sources.append(EntrySource(lot=lot, quantity=lot.remaining))
        lot.remaining = Decimal(0)
        lot.save(update_fields=["remaining"])
    return sources


# Kinds whose sources say what became of an allocation's draws after it was sent (the lot named
# is the sender's lot the allocation drew on).
SETTLING = ("acknowledgement", "recovery", "write_off", "replacement")


def open_shortfall(allocation_id: int, *, lock: bool = False) -> list[tuple[Lot, Decimal]]:
    """What of an allocation is still unaccounted for after a sign-for with a shortfall: per
    sender lot it drew on, sent - arrived - recovered - written off - replaced. Empty before the
    sign-for (then it is in transit, not short) and once every part is resolved.

    Format-1 acknowledgements name no sources (docs/ledger-chain.md): their shortfalls predate
    this procedure and are not reopened here.
    """
    acks = EntrySource.objects.filter(
        entry__related_id=allocation_id, entry__kind__in=SETTLING
    ).values_list("lot_id", "quantity")
    signed = LedgerEntry.objects.filter(
        related_id=allocation_id, kind="acknowledgement", shortfall=True, chain_format__gte=2
    )
    if not signed.exists():
        return []
    left: dict[int, Decimal] = {}
    for lot_id, quantity in EntrySource.objects.filter(entry_id=allocation_id).values_list(
        "lot_id", "quantity"
    ):
        left[lot_id] = left.get(lot_id, Decimal(0)) + quantity
    for lot_id, quantity in acks:
        left[lot_id] = left.get(lot_id, Decimal(0)) - quantity
    lots = Lot.objects.filter(id__in=[k for k, v in left.items() if v > 0]).order_by("id")
    if lock:
        lots = lots.select_for_update()
    return [(lot, left[lot.id]) for lot in lots]


# --- The books: one computation of received, passed on, used, written off, held, in transit ---

FIGURES = ("received", "passed_on", "used", "written_off", "held", "in_transit")
# What the public pages called these before the books (kept as aliases in ``Books.figures``).
ALIASES = {"allocated": "passed_on", "disbursed": "used", "balance": "held"}
_INTERNAL = ("moves_in", "moves_out", "arrivals_in", "arrivals_out")
ZERO = Decimal(0)


class Books:
    """The books of the ledger, kept per cell (organization, incident) from lot-level facts,
    so that every scope obeys one identity::

        received - passed_on - used - written_off = held + in_transit

    - *received*: receipts (捐赠票据) and, for an organization, what it signed for (an
      acknowledgement, or a shortfall replaced); for an incident, also what was attributed to
      it from other funds (general funds drawn for it, a change of use into it);
    - *passed on*: what an organization's allocations delivered (signed for by the receiver);
      for an incident, what left it by a change of use (or by general funds being drawn for it);
    - *used*: disbursements; *written off*: shortfalls written off;
    - *held*: the lots' remaining value; *in transit*: allocated and not yet signed for, plus
      shortfalls signed for and not yet resolved (counted at the sender, for the incident the
      allocation serves).

    An allocation between two organizations inside one incident is internal to the incident,
    and a move between incidents at one organization is internal to the organization: each
    scope leaves out its own internal flows, from both sides, so the identity holds in each.
    Amounts are exact (money plus goods at their recorded unit value); ``figures`` rounds them.
    """

    def __init__(self) -> None:
        self.cells: dict[tuple, dict[tuple[str, bool], Decimal]] = {}

    def add(self, holder: int, incident: int | None, name: str, money: bool, value) -> None:
        if not value:
            return
        cell = self.cells.setdefault((holder, incident), {})
        cell[(name, money)] = cell.get((name, money), ZERO) + Decimal(value)

    # Facts, from the database (``books``) or from the export (``reconcile.export_books``):
    def receipt(self, holder, incident, money, value) -> None:
        self.add(holder, incident, "received", money, value)

    def arrival(self, receiver, sender, incident, money, value) -> None:
        self.add(receiver, incident, "received", money, value)
        self.add(receiver, incident, "arrivals_in", money, value)
        self.add(sender, incident, "passed_on", money, value)
        self.add(sender, incident, "arrivals_out", money, value)
        self.add(sender, incident, "in_transit", money, -Decimal(value))

    def _move(self, holder, source, target, money, value) -> None:
        if source == target:
            return
        self.add(holder, source, "passed_on", money, value)
        self.add(holder, source, "moves_out", money, value)
        self.add(holder, target, "received", money, value)
        self.add(holder, target, "moves_in", money, value)

    def draw(self, kind, holder, target, lot_incident, money, value) -> None:
        self._move(holder, lot_incident, target, money, value)
        if kind == "disbursement":
            self.add(holder, target, "used", money, value)
        elif kind == "allocation":
            self.add(holder, target, "in_transit", money, value)

    def resolve(self, kind, sender, target, lot_incident, money, value) -> None:
        self.add(sender, target, "in_transit", money, -Decimal(value))
        if kind == "write_off":
            self.add(sender, target, "written_off", money, value)
        elif kind == "recovery":
            self._move(sender, target, lot_incident, money, value)

    def held(self, holder, incident, money, value) -> None:
        self.add(holder, incident, "held", money, value)

    # Scopes:
    def _sum(self, cells, internal: tuple[str, ...]) -> dict:
        total: dict[tuple[str, bool], Decimal] = {}
        for cell in cells:
            for key, value in cell.items():
                total[key] = total.get(key, ZERO) + value
        for money in (True, False):
            for side, figure in (("_in", "received"), ("_out", "passed_on")):
                for kind in internal:
                    total[(figure, money)] = total.get((figure, money), ZERO) - total.get(
                        (kind + side, money), ZERO
                    )
        return total

    def exact(self, *, organization_id: int | None = None, incident_id=...) -> dict:
        """Exact sums of one scope: everything (no argument), one organization, one incident
        (``None`` = given without an incident) or one organization within one incident."""
        cells = [
            cell
            for (holder, incident), cell in self.cells.items()
            if (organization_id is None or holder == organization_id)
            and (incident_id is ... or incident == incident_id)
        ]
        internal = ()
        if organization_id is None:
            internal += ("arrivals",)
        if incident_id is ...:
            internal += ("moves",)
        return self._sum(cells, internal)

    def figures(self, **scope) -> dict:
        """``exact`` rounded to cents, as ``{"received_money": Decimal, "received_goods": ...,
        "received": ...}`` for every figure, with the old names (``ALIASES``) alongside."""
        total = self.exact(**scope)
        out = {}
        for name in FIGURES:
            money = total.get((name, True), ZERO).quantize(Decimal("0.01"))
            goods = total.get((name, False), ZERO).quantize(Decimal("0.01"))
            out.update({f"{name}_money": money, f"{name}_goods": goods, name: money + goods})
        for old, new in ALIASES.items():
            for suffix in ("_money", "_goods", ""):
                out[old + suffix] = out[new + suffix]
        return out

    def organizations(self, incident_id=...) -> list[int]:
        return sorted({h for (h, i) in self.cells if incident_id is ... or i == incident_id})

    def incidents(self, organization_id: int | None = None) -> list[int | None]:
        found = {i for (h, i) in self.cells if organization_id is None or h == organization_id}
        return sorted(found, key=lambda i: (i is None, i or 0))


def books() -> Books:
    """The books of the whole ledger from the lots and their draws: five grouped queries,
    whatever the size of the ledger (``Books`` says what each figure means). Pages, the totals
    API, the CSV and charts read their figures from here (through ``queries.totals``, which
    caches them per chain head)."""

    result = Books()
    reversed_ = LedgerEntry.objects.filter(kind="reversal")
    value = DecimalField(max_digits=30, decimal_places=5)

    def is_money(prefix: str = ""):
        return Case(
            When(**{f"{prefix}item": ""}, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )

    for r in (
        Lot.objects.filter(acquired_by__kind="receipt")
        .filter(~Exists(reversed_.filter(related=OuterRef("acquired_by"))))
        .values("holder_id", "incident_id")
        .annotate(m=is_money(), v=Sum(F("quantity") * F("unit_value"), output_field=value))
        .order_by()
    ):
        result.receipt(r["holder_id"], r["incident_id"], r["m"], r["v"])
    for r in (
        Lot.objects.filter(acquired_by__kind__in=["acknowledgement", "replacement"])
        .values("holder_id", "acquired_by__counterparty_id", "incident_id")
        .annotate(m=is_money(), v=Sum(F("quantity") * F("unit_value"), output_field=value))
        .order_by()
    ):
        result.arrival(
            r["holder_id"], r["acquired_by__counterparty_id"], r["incident_id"], r["m"], r["v"]
        )
    for r in (
        EntrySource.objects.filter(entry__kind__in=["allocation", "disbursement", "change_of_use"])
        .filter(~Exists(reversed_.filter(related=OuterRef("entry"))))
        .values("entry__kind", "entry__holder_id", "lot__incident_id")
        .annotate(
            target=Coalesce("entry__incident_id", "lot__incident_id"),
            m=is_money("lot__"),
            v=Sum(F("quantity") * F("lot__unit_value"), output_field=value),
        )
        .order_by()
    ):
        result.draw(
            r["entry__kind"],
            r["entry__holder_id"],
            r["target"],
            r["lot__incident_id"],
            r["m"],
            r["v"],
        )
    for r in (
        EntrySource.objects.filter(entry__kind__in=["recovery", "write_off"])
        .values("entry__kind", "entry__related__holder_id", "lot__incident_id")
        .annotate(
            target=Coalesce("entry__related__incident_id", "lot__incident_id"),
            m=is_money("lot__"),
            v=Sum(F("quantity") * F("lot__unit_value"), output_field=value),
        )
        .order_by()
    ):
        result.resolve(
            r["entry__kind"],
            r["entry__related__holder_id"],
            r["target"],
            r["lot__incident_id"],
            r["m"],
            r["v"],
        )
    for r in (
        Lot.objects.values("holder_id", "incident_id")
        .annotate(m=is_money(), v=Sum(F("remaining") * F("unit_value"), output_field=value))
        .order_by()
    ):
        result.held(r["holder_id"], r["incident_id"], r["m"], r["v"])
    return result
