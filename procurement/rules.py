"""Rules of the procurement methods (DOMAIN.md), in one place services and tests read."""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from core import words
from procurement.models import METHOD_REASON_METHODS, SMALL_VALUE_METHODS, Method

CALENDAR_DAYS = "calendar"
WORKING_DAYS = "working"

# Minimum period from the notice to the deadline: (number, kind). Emergency has none.
MINIMUM_PERIOD: dict[str, tuple[int, str] | None] = {
    Method.OPEN_TENDER: (20, CALENDAR_DAYS),
    Method.INVITED_TENDER: (20, CALENDAR_DAYS),
    Method.COMPETITIVE_NEGOTIATION: (3, WORKING_DAYS),
    Method.COMPETITIVE_CONSULTATION: (10, CALENDAR_DAYS),
    Method.INQUIRY: (3, WORKING_DAYS),
    Method.SINGLE_SOURCE: (5, WORKING_DAYS),
    Method.EMERGENCY: None,
}


def minimum_valid_bids(method: str) -> int:
    if method in (Method.SINGLE_SOURCE, Method.EMERGENCY):
        return 1
    if method == Method.COMPETITIVE_CONSULTATION:
        return settings.TONGZHOU_PROCUREMENT_CONSULTATION_MIN_BIDS
    return 3


def standstill_working_days() -> int:
    return settings.TONGZHOU_PROCUREMENT_STANDSTILL_WORKING_DAYS


# --- the small-value route and the legal grounds for a method ----------------------------------


def is_small_purchase(budget: Decimal) -> bool:
    return budget < settings.TONGZHOU_SMALL_PURCHASE_THRESHOLD


def proposed_methods(budget: Decimal) -> tuple[str, ...]:
    """The methods the plan proposes for this budget: below the small-purchase threshold
    competitive consultation or negotiation; at or above it, open tender."""
    if is_small_purchase(budget):
        return tuple(SMALL_VALUE_METHODS)
    return (Method.OPEN_TENDER,)


def method_problems(method: str, budget: Decimal, reason: str, reason_text: str) -> dict:
    """Field errors of a plan's choice of method (empty: it may be used).

    At or above the threshold a method other than open tender needs a legal ground chosen from
    ``MethodReason`` that justifies that very method, and the facts written down. Emergency
    procurement (Art. 85) needs none: it is reviewed after the fact instead. Below the threshold
    every method may be used (the route is proposed, not imposed); a ground given must still
    fit the method."""
    errors: dict[str, list[str]] = {}
    if reason and METHOD_REASON_METHODS.get(reason) != method:
        errors["method_reason"] = [
            _("This legal ground does not justify %(method)s.")
            % {"method": Method(method).label if method in Method.values else method}
        ]
        return errors
    if method in (Method.OPEN_TENDER, Method.EMERGENCY) or is_small_purchase(budget):
        return errors
    if not reason:
        errors["method_reason"] = [
            _(
                "A budget of %(threshold)s or more is bought by open tender; choose the legal "
                "ground for %(method)s."
            )
            % {
                "threshold": words.money(settings.TONGZHOU_SMALL_PURCHASE_THRESHOLD),
                "method": Method(method).label,
            }
        ]
    if not reason_text.strip():
        errors["method_reason_text"] = [_("Write down the facts that make the legal ground apply.")]
    return errors
