"""What an official may do with an organization's verification: one declaration
(core.states.Actions) that registry.services and the organization page and API share."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import permissions as perms
from core.states import Action, Actions
from registry.models import Organization


def official_for(user: Any, organization: Organization, **context: Any) -> None:
    if not perms.is_official_for(user, organization.region_code):
        raise PermissionDenied(_("Only an official whose jurisdiction covers it may do that."))


S = Organization.Status
ORGANIZATION = Actions(
    Organization,
    [
        # The verification decision: verified or rejected (with a reason), from pending.
        Action("verify", S.VERIFIED, who=official_for, sources=(S.PENDING,)),
        Action("suspend", S.SUSPENDED, who=official_for),
        Action("reinstate", S.VERIFIED, who=official_for, sources=(S.SUSPENDED,)),
    ],
)
