"""Balances: lots are locked (select_for_update, by id) and drawn on inside the caller's
transaction, so no receipt, holder or purpose can go below zero even under concurrency."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.states import Conflict
from donations.models import EntrySource, Lot


class RestrictedPurpose(Conflict):
    code = "restricted_purpose"


class InsufficientBalance(Conflict):
    code = "insufficient_balance"


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

    ``named`` sources are ``{"entry": seq, "item": name, "quantity": Decimal}``: lots the holder
    acquired by that entry. Without them, the oldest compatible open lots are chosen.
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
                if not compatible(lot, incident_id=incident_id, purpose=purpose):
                    raise RestrictedPurpose(
                        _("Entry #%(seq)s is restricted to another incident or purpose.")
                        % {"seq": n["entry"]}
                    )
            sources += _take(lots, n["item"], n["quantity"], chosen=False)
        return sources
    for w in wants:
        lots = [lot for lot in locked if lot.item == w.item and (not w.unit or lot.unit == w.unit)]
        usable = [lot for lot in lots if compatible(lot, incident_id=incident_id, purpose=purpose)]
        usable_total = sum((lot.remaining for lot in usable), Decimal(0))
        if usable_total < w.quantity <= sum((lot.remaining for lot in lots), Decimal(0)):
            raise RestrictedPurpose(
                _("Only restricted %(item)s for another incident or purpose is left.")
                % {"item": _label(w.item)}
            )
        sources += _take(usable, w.item, w.quantity, chosen=True)
    return sources


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
