"""Bounds on the dates people type, one rule per kind of date (docs/CONVENTIONS.md, "Dates").

- A **fact** (a donation received, money spent, an incident that started, a photo taken, a sum
  recovered, an assessment made): from ``FACT_EARLIEST`` (2000-01-01) to now + ``FACT_SLACK``
  (1 day: a clock or time-zone slip, not the future). Services may be stricter (the ledger
  refuses anything beyond a few minutes ahead).
- A **deadline** (bids close, a task or milestone is due, a clawback must be repaid): from now to
  now + ``DEADLINE_HORIZON`` (2 years).
- A **plan** (a team's expected arrival): from ``FACT_EARLIEST`` to now + ``DEADLINE_HORIZON``
  (a team may file its deployment after arriving).
- A **founding date** of an organization: from ``FOUNDED_EARLIEST`` (1900-01-01) to today.
- A **validity** end (an assessment's ``valid_until``): up to ``VALIDITY_HORIZON`` (5 years).
- An **expiry date** of donated goods: ``FACT_EARLIEST`` to now + ``EXPIRY_HORIZON`` (30 years).

They are constants, not settings: they describe what a plausible date is, not a deployment's
choice. Each check is a plain validator (``value`` -> ``None`` or Django ``ValidationError``)
usable as a DRF or Django form field validator, and ``check(field, validator, value)`` raises the
``{"field": [...]}`` form services use. Dates or datetimes alike (a date is compared with the
local date).
"""

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

FACT_EARLIEST = dt.date(2000, 1, 1)
FOUNDED_EARLIEST = dt.date(1900, 1, 1)
FACT_SLACK = dt.timedelta(days=1)
DEADLINE_HORIZON = dt.timedelta(days=2 * 365 + 1)
VALIDITY_HORIZON = dt.timedelta(days=5 * 365 + 2)
EXPIRY_HORIZON = dt.timedelta(days=30 * 365 + 8)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _bounded(value, *, earliest, latest) -> None:
    """``earliest``/``latest``: datetimes (compared as such for datetimes) or dates."""
    if value is None:
        return
    if isinstance(value, dt.datetime) and isinstance(earliest, dt.datetime):
        low_ok = value >= earliest
    else:
        low_ok = _as_date(value) >= _as_date(earliest)
    if isinstance(value, dt.datetime) and isinstance(latest, dt.datetime):
        high_ok = value <= latest
    else:
        high_ok = _as_date(value) <= _as_date(latest)
    if not low_ok:
        raise ValidationError(
            _("The date cannot be before %(date)s.") % {"date": _show(earliest)},
            code="too_early",
        )
    if not high_ok:
        raise ValidationError(
            _("The date cannot be after %(date)s.") % {"date": _show(latest)}, code="too_late"
        )


def _show(value) -> str:
    return formats.date_format(_as_date(value), "Y-m-d")


def fact(value) -> None:
    """Something that happened: 2000-01-01 .. now + 1 day."""
    _bounded(value, earliest=FACT_EARLIEST, latest=timezone.now() + FACT_SLACK)


def deadline(value) -> None:
    """Something due: now .. now + 2 years (a date: today .. today + 2 years)."""
    now = timezone.now()
    if isinstance(value, dt.datetime) and value < now:
        raise ValidationError(_("The deadline cannot be in the past."), code="past_deadline")
    if not isinstance(value, dt.datetime) and value is not None and value < timezone.localdate():
        raise ValidationError(_("The deadline cannot be in the past."), code="past_deadline")
    _bounded(value, earliest=FACT_EARLIEST, latest=now + DEADLINE_HORIZON)


def plan(value) -> None:
    """Something expected (or that already happened): 2000-01-01 .. now + 2 years."""
    _bounded(value, earliest=FACT_EARLIEST, latest=timezone.now() + DEADLINE_HORIZON)


def founded(value) -> None:
    """An organization's founding date: 1900-01-01 .. today."""
    _bounded(value, earliest=FOUNDED_EARLIEST, latest=timezone.localdate())


def validity(value) -> None:
    """The end of a validity period: 2000-01-01 .. today + 5 years."""
    _bounded(value, earliest=FACT_EARLIEST, latest=timezone.localdate() + VALIDITY_HORIZON)


def expiry(value) -> None:
    """The expiry date of goods: 2000-01-01 .. today + 30 years."""
    _bounded(value, earliest=FACT_EARLIEST, latest=timezone.localdate() + EXPIRY_HORIZON)


def check(field: str, validator: Callable, value) -> None:
    """Run ``validator`` on ``value``; a refusal becomes ``ValidationError({field: [...]})``."""
    try:
        validator(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def not_before(field: str, value, earliest, *, what: str) -> None:
    """Order: ``value`` (a use) cannot precede ``earliest`` (what it draws on)."""
    if value is not None and earliest is not None and value < earliest:
        raise ValidationError(
            {
                field: [
                    _("Cannot be earlier than %(what)s (%(date)s).")
                    % {
                        "what": what,
                        "date": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M"),
                    }
                ]
            }
        )
