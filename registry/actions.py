"""What an official may do with an organization's verification and a capability's assessment:
one declaration per model (core.states.Actions) that registry.services and the organization
page and API share."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import permissions as perms
from core import regions
from core.states import Action, Actions, InvalidTransition
from registry.models import Capability, Organization


def official_for(user: Any, organization: Organization, **context: Any) -> None:
    if not perms.is_official_for(user, organization.region_code):
        raise PermissionDenied(_("Only an official whose jurisdiction covers it may do that."))


def _may_be_hub(user: Any, organization: Organization, **context: Any) -> None:
    """Designating needs a verified social organization; withdrawing is always possible."""
    if organization.is_hub:
        return
    if organization.kind == "agency" or organization.status != S.VERIFIED:
        raise InvalidTransition(_("Only a verified organization can be a hub."))


S = Organization.Status
ORGANIZATION = Actions(
    Organization,
    [
        # The verification decision: verified or rejected (with a reason), from pending.
        Action("verify", S.VERIFIED, who=official_for, sources=(S.PENDING,)),
        Action("suspend", S.SUSPENDED, who=official_for),
        Action("reinstate", S.VERIFIED, who=official_for, sources=(S.SUSPENDED,)),
        # Designate a hub (枢纽型组织) or withdraw it: no status change.
        Action("hub", None, who=official_for, when=_may_be_hub),
    ],
)


def may_assess(user, organization: Organization) -> bool:
    """Assessment (测评) is run by the province, or by a prefecture-level city the province has
    delegated it to (settings.TONGZHOU_ASSESSMENT_DELEGATED_CITIES), within their jurisdiction."""
    delegated = set(settings.TONGZHOU_ASSESSMENT_DELEGATED_CITIES)
    for code in perms.jurisdictions(user):
        if not regions.covers(code, organization.region_code):
            continue
        level = regions.level_of(code)
        if level == "province" or (level == "prefecture" and code in delegated):
            return True
    return False


def _assessor(user: Any, capability: Capability, **context: Any) -> None:
    if not may_assess(user, capability.organization):
        raise PermissionDenied(
            _("Only the province or a delegated city may assess this organization.")
        )


def _assessable(user: Any, capability: Capability, **context: Any) -> None:
    if capability.organization.status != Organization.Status.VERIFIED:
        raise InvalidTransition(_("Only a verified organization can be assessed."))


def _graded(user: Any, capability: Capability, **context: Any) -> None:
    if capability.assessed_grade is None or capability.revoked_at is not None:
        raise InvalidTransition(_("There is no assessed grade to revoke."))


# A capability has no status: an assessment sets its grade, a revocation ends it.
CAPABILITY = Actions(
    Capability,
    [
        Action("assess", None, who=_assessor, when=_assessable),
        Action("revoke", None, who=_assessor, when=_graded),
    ],
)
