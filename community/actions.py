"""What a person may do with routine needs and projects (core.states.Actions): the services'
gates and the pages' buttons."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Project, RoutineNeed
from core import permissions as perms
from core.roles import ACTING_ROLES, Role
from core.states import Action, Actions, InvalidTransition
from registry.choices import OrganizationKind


def _unconfirmed(user: Any, need: RoutineNeed, **context: Any) -> None:
    if need.confirmed_at:
        raise InvalidTransition(_("This need is already confirmed."))


def need_official(user: Any, need: RoutineNeed, **context: Any) -> None:
    """The same rule as incident needs: an official whose jurisdiction covers the need's area."""
    if not perms.is_official_for(user, need.region_code):
        raise PermissionDenied(_("Only an official with jurisdiction over this area may do this."))


NEED = Actions(RoutineNeed, [Action("confirm", None, who=need_official, when=_unconfirmed)])


def project_owner(user: Any, project: Project, **context: Any) -> None:
    """A member (admin or member role) of the organization that posted the project."""
    if not any(
        m.organization_id == project.organization_id and m.role in ACTING_ROLES
        for m in perms.memberships(user)
    ):
        raise PermissionDenied(_("Only the project's organization may do this."))


def funder(user: Any, project: Project, **context: Any) -> None:
    """A member of a verified foundation, or an official of a verified agency, other than the
    project's organization."""
    for m in perms.memberships(user):
        org = m.organization
        if org.pk == project.organization_id or org.status != "verified":
            continue
        if (org.kind == OrganizationKind.FOUNDATION and m.role in ACTING_ROLES) or (
            org.kind == OrganizationKind.AGENCY and m.role == Role.OFFICIAL
        ):
            return
    raise PermissionDenied(_("Only a verified foundation or agency may pledge funding."))


def _has_period_left(user: Any, project: Project, **context: Any) -> None:
    if project.ends_on < timezone.localdate():
        raise ValidationError(_("The project's period has ended."))


PROJECT = Actions(
    Project,
    [
        Action("link", None, who=project_owner, when=_has_period_left),
        Action("pledge", None, who=funder, when=_has_period_left),
    ],
)
