"""Rules of the procurement methods (DOMAIN.md), in one place services and tests read."""

from django.conf import settings

from procurement.models import Method

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
