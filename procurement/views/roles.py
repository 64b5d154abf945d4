"""What the supplier's part of a project page offers (read by the project page; the services
decide when the form is sent)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions as perms
from procurement.debarment import debarments
from procurement.models import Bid, Project
from procurement.services.bids import can_bid
from registry.models import Organization
from registry.queries import acting_organizations


def bidder_organizations(user: Any, project: Project) -> list[Organization]:
    """The organizations this person may act for that bid on the project (a challenge's
    "act for" choice)."""
    if not user.is_authenticated:
        return []
    mine = acting_organizations(user)
    if not mine:
        return []
    bidders = set(
        project.bids.filter(organization__in=mine).values_list("organization_id", flat=True)
    )
    return [o for o in mine if o.pk in bidders]


def supplier_state(user: Any, project: Project, bids: list[Bid]) -> dict | None:
    """What the supplier's part of a project page shows: its bids, whether it may bid now (and
    why not), whether it may challenge. None for people who act for no organization."""
    if not user.is_authenticated or perms.is_official_for(user, project.region_code):
        return None
    # whatever the organization's status now: a suspended bidder still sees and may withdraw
    # its bid (withdraw_bid checks with verified=False); can_bid asks for a verified one
    orgs = acting_organizations(user, verified=False)
    if not orgs:
        return None
    mine = [b for b in bids if b.organization_id in {o.pk for o in orgs}]
    open_now = project.status == Project.Status.TENDERING and project.is_sealed
    for b in mine:  # withdraw_bid's rule: a submitted bid, while the tender is open
        b.may_withdraw = open_now and b.status == Bid.Status.SUBMITTED
    eligible = [o for o in orgs if can_bid(project, o)] if open_now else []
    # submit_bid's rule, in its order: a debarred organization is told why (the 403's reason)
    barred = debarments(o.pk for o in orgs) if open_now else {}
    allowed = [o for o in eligible if not barred[o.pk].debarred]
    why = ""
    if not open_now:
        why = _("The tender is not open for bids.")
    elif not allowed and any(barred[o.pk].debarred for o in orgs if o.status == "verified"):
        why = next(barred[o.pk].reason for o in orgs if barred[o.pk].debarred)
    elif not allowed:
        why = _("Your organization is not eligible for this tender.")
    eligible = allowed
    award = project.active_awards[0] if project.active_awards else None
    challenge_why = ""
    if award is None or project.status != Project.Status.AWARDED:
        challenge_why = _("There is no award to challenge.")
    elif timezone.now() >= award.standstill_ends_at:
        challenge_why = _("The stand-still period is over.")
    return {
        "bids": mine,
        "may_bid": bool(eligible),
        "why": why,
        "open": open_now,
        "may_challenge": not challenge_why and bool(mine),
        "challenge_why": challenge_why if mine else "",
    }
