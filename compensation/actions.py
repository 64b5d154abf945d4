"""What a person may do with a compensation claim: one declaration, read by the services, the
claim page and the API (core.states, docs/CONVENTIONS.md "State changes and allowed actions")."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from compensation.models import Claim
from core import permissions as perms
from core import words
from core.states import Action, Actions
from donations.actions import receiving_kinds
from registry.queries import acting_organizations


def reviewer(user: Any, claim: Claim, **context: Any) -> None:
    """The bureau of the incident's region: an official whose jurisdiction covers it."""
    if not perms.is_official_for(user, claim.region_code):
        raise PermissionDenied(
            _("Only an official whose jurisdiction covers the incident's region may do this.")
        )


def payer(user: Any, claim: Claim, **context: Any) -> None:
    """An official of the region who also writes the ledger of an organization holding the
    compensation fund (the service checks the one named, ``donations.actions.require_writer``)."""
    reviewer(user, claim)
    if not acting_organizations(user, kinds=receiving_kinds()):
        raise PermissionDenied(
            _("Paying needs a ledger writer of the organization that holds the compensation fund.")
        )


def claimant_or_reviewer(user: Any, claim: Claim, **context: Any) -> None:
    """The claiming organization's members, or the reviewing bureau."""
    if perms.is_official_for(user, claim.region_code):
        return
    if claim.organization_id in {o.pk for o in acting_organizations(user, verified=False)}:
        return
    raise PermissionDenied(_("Only the claiming organization or the reviewing bureau may do this."))


C = Claim.Status
CLAIM = Actions(
    Claim,
    [
        Action("review", C.UNDER_REVIEW, who=reviewer),
        Action("approve", C.APPROVED, who=reviewer),
        Action("reject", C.REJECTED, who=reviewer),
        Action("pay", C.PAID, who=payer),
        Action("settle", C.SETTLED, who=claimant_or_reviewer),
    ],
)


def claim_steps(claim: Claim) -> list[dict]:
    """The stepper of a claim page: filed, under review, approved, paid; a rejection or the
    insurer's settlement is shown where the claim stopped, with the reasons."""
    path = [C.FILED, C.UNDER_REVIEW, C.APPROVED, C.PAID]
    hints = {}
    if claim.status in (C.REJECTED, C.APPROVED) and claim.decision_reason:
        hints[claim.status] = claim.decision_reason
    return words.steps(
        path, claim.status, dict(C.choices), stopped={C.REJECTED, C.SETTLED}, hints=hints
    )
