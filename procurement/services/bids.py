"""Sealed bids: submit or edit until the deadline, withdraw before it."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import states
from core.states import InvalidTransition
from procurement.models import INVITATION_METHODS, Bid, Project
from procurement.services.common import record
from registry.models import Organization
from registry.queries import acting_organization, is_eligible


def _require_open(project: Project) -> None:
    if project.status != Project.Status.TENDERING or not project.is_sealed:
        raise InvalidTransition(_("The tender is not open for bids."))


def can_bid(project: Project, organization: Organization) -> bool:
    if not is_eligible(
        organization,
        specialty=project.eligibility_specialty or None,
        min_grade=project.eligibility_min_grade,
    ):
        return False
    if project.method in INVITATION_METHODS:
        return project.invitees.filter(pk=organization.pk).exists()
    return True


@transaction.atomic
def submit_bid(
    *,
    project: Project,
    by: Any,
    organization: int | str | Organization | None = None,
    price: Decimal,
    proposal: str,
    team_size: int = 0,
) -> Bid:
    """An admin or member of an eligible organization (an invitee where the method requires)
    submits its one bid, or edits it, while the tender is open. The bidder is
    ``acting_organization``'s answer: the verified organization named, or the user's only one."""
    organization = acting_organization(by, organization)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_open(project)
    if not can_bid(project, organization):
        raise PermissionDenied(_("Your organization is not eligible for this tender."))
    if price <= 0:
        raise ValidationError({"price": [_("The price must be positive.")]})
    bid = Bid.objects.filter(project=project, organization=organization).first()
    # The audit trail never carries the sealed contents.
    if bid is None:
        bid = Bid.objects.create(
            project=project,
            organization=organization,
            price=price,
            proposal=proposal,
            team_size=team_size,
            submitted_by=by,
        )
        record(
            bid,
            by=by,
            project=project,
            organization_id=organization.pk,
            action="bid_submitted",
            to_status=bid.status,
        )
        return bid
    bid.project = project
    states.move(
        bid,
        Bid.Status.SUBMITTED,
        by=by,
        action="procurement.bid_updated",
        changes={"price": price, "proposal": proposal, "team_size": team_size, "submitted_by": by},
    )
    return bid


@transaction.atomic
def withdraw_bid(*, bid: Bid, by: Any) -> Bid:
    """The bidder withdraws its bid before the deadline."""
    bid = Bid.objects.select_for_update().select_related("project").get(pk=bid.pk)
    try:  # the bidder, whatever its status now: withdrawing is always its right
        acting_organization(by, bid.organization_id, verified=False)
    except PermissionDenied:
        raise PermissionDenied(_("You may only withdraw your own organization's bid.")) from None
    _require_open(bid.project)
    states.move(bid, Bid.Status.WITHDRAWN, by=by, action="procurement.bid_withdrawn")
    return bid
