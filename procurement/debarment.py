"""Debarment (禁止参加政府采购活动): is this organization barred from bidding, why, since when.

One rule, read by the bid service (403 with the reason), the pages (the reason instead of the bid
form), the API (``GET /api/v1/debarments/{organization}/``), the supplier's public record and the
OCDS parties. An organization is debarred while it has at least one ground not lifted:

- an **overdue clawback**: a clawback of one of its contracts still open (neither recovered in
  full nor closed with a write-off) whose due date has passed; it lasts until the clawback is
  settled;
- a **termination for falsification**: a contract of its terminated on the ground
  ``falsification`` within ``TONGZHOU_DEBARMENT_YEARS`` (default 3) years; it lasts that long.

An official of the buyer's jurisdiction may lift a debarment with a reason
(``procurement.services.debarments.lift_debarment``); the lift covers the grounds the supplier had
then (``DebarmentLift.grounds``), so a new overdue clawback or a new falsification debars again.

Decisions where the issue was silent: a clawback not yet due does not debar by itself (the
supplier still has time to pay), but the termination for falsification that caused it does; the
period counts from the day of the termination; a ground's "since" is the day after the due date
for a clawback and the termination day for a falsification.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import words
from procurement.models import Clawback, Contract, DebarmentLift, TerminationGround

OVERDUE_CLAWBACK = "overdue_clawback"
FALSIFICATION = "falsification"


@dataclass(frozen=True)
class Ground:
    """One reason an organization may not bid."""

    key: str  # "clawback:<pk>" or "termination:<contract pk>"
    kind: str  # OVERDUE_CLAWBACK or FALSIFICATION
    since: dt.date
    until: dt.date | None  # None: until the clawback is settled
    project_id: int
    project_title: str
    region_code: str
    amount: object = None  # the clawback's outstanding amount

    @property
    def text(self) -> str:
        if self.kind == OVERDUE_CLAWBACK:
            return _(
                "an overdue clawback of %(amount)s on “%(title)s” (due %(due)s, not recovered)"
            ) % {
                "amount": words.money(self.amount),
                "title": self.project_title,
                "due": words.date_text(self.since - dt.timedelta(days=1)),
            }
        return _(
            "the contract “%(title)s” was terminated on %(day)s for falsified records "
            "(barred until %(until)s)"
        ) % {
            "title": self.project_title,
            "day": words.date_text(self.since),
            "until": words.date_text(self.until),
        }


@dataclass
class Debarment:
    """The answer for one organization: ``grounds`` are those in force (not lifted),
    ``lifted`` the grounds an official lifted (still true, no longer barring)."""

    organization_id: int
    grounds: list[Ground] = field(default_factory=list)
    lifted: list[Ground] = field(default_factory=list)

    @property
    def debarred(self) -> bool:
        return bool(self.grounds)

    @property
    def since(self) -> dt.date | None:
        return min((g.since for g in self.grounds), default=None)

    @property
    def reason(self) -> str:
        """The sentence a page and the 403 show; '' when not debarred."""
        if not self.grounds:
            return ""
        return _("Your organization is debarred from bidding since %(since)s: %(why)s.") % {
            "since": words.date_text(self.since),
            "why": "; ".join(g.text for g in self.grounds),
        }

    @property
    def public_reason(self) -> str:
        """The same, as the public record and other organizations read it."""
        if not self.grounds:
            return ""
        return _("Debarred since %(since)s: %(why)s.") % {
            "since": words.date_text(self.since),
            "why": "; ".join(g.text for g in self.grounds),
        }


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def debarments(
    organization_ids: Iterable[int], *, today: dt.date | None = None
) -> dict[int, Debarment]:
    """The debarment of each organization (every id gets an answer). Two queries, however many
    organizations and grounds."""
    ids = sorted({int(i) for i in organization_ids})
    result = {pk: Debarment(organization_id=pk) for pk in ids}
    if not ids:
        return result
    today = today or timezone.localdate()
    years = settings.TONGZHOU_DEBARMENT_YEARS
    cutoff = years_before(today, years)
    overdue = Q(clawback__status=Clawback.Status.OPEN, clawback__due_on__lt=today)
    falsified = Q(
        status=Contract.Status.TERMINATED,
        termination_ground=TerminationGround.FALSIFICATION,
        # a local day after the cutoff starts after this moment; the day is checked below
        terminated_at__gte=timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min)),
    )
    contracts = (
        Contract.objects.filter(supplier_id__in=ids)
        .filter(overdue | falsified)
        .select_related("project", "clawback")
        .order_by("pk")
    )
    lifted_keys: dict[int, set[str]] = {pk: set() for pk in ids}
    for organization_id, keys in DebarmentLift.objects.filter(organization_id__in=ids).values_list(
        "organization_id", "grounds"
    ):
        lifted_keys[organization_id].update(keys or [])
    for contract in contracts:
        found = []
        clawback = getattr(contract, "clawback", None)
        if (
            clawback is not None
            and clawback.status == Clawback.Status.OPEN
            and clawback.due_on < today
        ):
            found.append(
                Ground(
                    key=f"clawback:{clawback.pk}",
                    kind=OVERDUE_CLAWBACK,
                    since=clawback.due_on + dt.timedelta(days=1),
                    until=None,
                    project_id=contract.project_id,
                    project_title=contract.project.title,
                    region_code=contract.project.region_code,
                    amount=clawback.outstanding,
                )
            )
        if (
            contract.status == Contract.Status.TERMINATED
            and contract.termination_ground == TerminationGround.FALSIFICATION
            and contract.terminated_at
        ):
            day = timezone.localdate(contract.terminated_at)
            if day > cutoff:
                found.append(
                    Ground(
                        key=f"termination:{contract.pk}",
                        kind=FALSIFICATION,
                        since=day,
                        until=_years_after(day, years),
                        project_id=contract.project_id,
                        project_title=contract.project.title,
                        region_code=contract.project.region_code,
                    )
                )
        answer = result[contract.supplier_id]
        for ground in found:
            if ground.key in lifted_keys[contract.supplier_id]:
                answer.lifted.append(ground)
            else:
                answer.grounds.append(ground)
    return result


def debarment(organization, *, today: dt.date | None = None) -> Debarment:
    """Is this organization (or id) debarred, why, since when."""
    pk = getattr(organization, "pk", organization)
    return debarments([pk], today=today)[int(pk)]
