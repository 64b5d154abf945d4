"""Who writes a ledger (``require_writer``) and what a person may do with a ledger entry: one
declaration, read by the services and the entry page alike (core.states, docs/CONVENTIONS.md,
"State changes and allowed actions").

Entries have no status (the ledger is append-only): an entry is "settled" once a reversal or a
sign-for follows it, and that is what the guards read.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.permissions import is_member_of
from core.states import Action, Actions, InvalidTransition
from donations.balances import open_shortfall
from donations.models import LedgerEntry, Lot
from registry.models import Organization
from registry.queries import acting_organization, may_act_for

Kind = LedgerEntry.Kind
RECEIVING_KINDS = ("foundation", "social_group", "social_service", "volunteer_team")
REVERSIBLE = (Kind.RECEIPT, Kind.ALLOCATION, Kind.DISBURSEMENT)


def receiving_kinds() -> list[str]:
    return list(getattr(settings, "TONGZHOU_RECEIVING_KINDS", RECEIVING_KINDS))


def require_writer(user: Any, organization: Any) -> Organization:
    """The organization whose ledger ``user`` writes: ``acting_organization``'s answer for the
    one named (an Organization, its id, or None for the user's only one) among verified
    receiving organizations. Not a member or not allowed: 403; several to choose from: 400."""
    return acting_organization(user, organization, kinds=receiving_kinds())


def can_write(user: Any, organization: Any) -> bool:
    """Whether ``require_writer`` lets ``user`` write ``organization``'s ledger (for pages)."""
    return may_act_for(user, organization, kinds=receiving_kinds())


def _settled(entry: LedgerEntry) -> bool:
    return entry.followers.filter(kind__in=[Kind.REVERSAL, Kind.ACKNOWLEDGEMENT]).exists()


def _holder_writes(user: Any, entry: LedgerEntry, **context: Any) -> None:
    require_writer(user, entry.holder_id)


def _receiver_writes(user: Any, entry: LedgerEntry, **context: Any) -> None:
    if entry.kind != Kind.ALLOCATION or not entry.counterparty_id:
        raise PermissionDenied(_("Only the receiving organization signs for an allocation."))
    require_writer(user, entry.counterparty_id)


def _reversible(user: Any, entry: LedgerEntry, **context: Any) -> None:
    if entry.kind not in REVERSIBLE:
        raise InvalidTransition(_("This kind of entry cannot be reversed."))
    if _settled(entry):
        raise InvalidTransition(_("This entry was already reversed or signed for."))


def _awaiting_signature(user: Any, entry: LedgerEntry, **context: Any) -> None:
    if _settled(entry):
        raise InvalidTransition(_("This allocation was already signed for or reversed."))


def _sender_writes(user: Any, entry: LedgerEntry, **context: Any) -> None:
    if entry.kind != Kind.ALLOCATION:
        raise PermissionDenied(_("Only the allocating organization resolves this."))
    require_writer(user, entry.holder_id)


def _short(user: Any, entry: LedgerEntry, **context: Any) -> None:
    if entry.kind != Kind.ALLOCATION:
        raise InvalidTransition(_("Only an allocation can have a shortfall."))
    missing = getattr(entry, "missing", None)  # set by pages that listed it already
    if missing is None:
        missing = open_shortfall(entry.pk)
    if not missing:
        raise InvalidTransition(_("Nothing of this allocation is missing."))


def _holder_member(user: Any, entry: LedgerEntry, **context: Any) -> None:
    if not is_member_of(user, entry.holder_id):
        raise PermissionDenied(_("Only members of the holding organization see this."))


def _restricted_left(user: Any, entry: LedgerEntry, **context: Any) -> None:
    """A change of use moves what the holder still has, restricted, from this entry
    (donations.services.change_use reads the same lots under lock). An entry that acquires
    lots passes its own ``restricted`` flag to them (receipt, sign-for, change of use), so an
    unrestricted entry is answered without a query."""
    if (
        not entry.restricted
        or not Lot.objects.filter(
            acquired_by=entry, holder_id=entry.holder_id, restricted=True, remaining__gt=0
        ).exists()
    ):
        raise InvalidTransition(_("Nothing restricted is left from this entry."))


def _a_receipt(user: Any, entry: LedgerEntry, **context: Any) -> None:
    if entry.kind != Kind.RECEIPT:
        raise InvalidTransition(_("Only a receipt has private donor details."))


ENTRY = Actions(
    LedgerEntry,
    [
        Action("acknowledge", None, who=_receiver_writes, when=_awaiting_signature),
        Action("reverse", None, who=_holder_writes, when=_reversible),
        Action("reveal", None, who=_holder_member, when=_a_receipt),
        # Resolving a shortfall signed for (donations.services.transfers.resolve_shortfall)
        Action("recover", None, who=_sender_writes, when=_short),
        Action("write_off", None, who=_sender_writes, when=_short),
        Action("replace", None, who=_receiver_writes, when=_short),
        Action("change_use", None, who=_holder_writes, when=_restricted_left),
    ],
)
