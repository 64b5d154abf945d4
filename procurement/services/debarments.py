"""Lifting a supplier's debarment (the rule itself is ``procurement.debarment``)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core import permissions as perms
from core.notifications import notify
from core.states import InvalidTransition
from procurement import ocds
from procurement.debarment import debarment
from procurement.models import DebarmentLift, Project
from registry.models import Organization


def require_may_lift(user: Any, organization: Organization, grounds: list) -> None:
    """Only an official may lift, and only grounds of projects in their jurisdiction (every
    ground in force: a bureau cannot lift another region's debarment)."""
    if not perms.is_official(user):
        raise PermissionDenied(_("Only an official of the buyer may lift a debarment."))
    foreign = [g for g in grounds if not perms.is_official_for(user, g.region_code)]
    if foreign:
        raise PermissionDenied(
            _("This debarment comes from a project outside your jurisdiction: %(title)s.")
            % {"title": foreign[0].project_title}
        )


@transaction.atomic
def lift_debarment(*, organization: Organization, by: Any, reason: str) -> DebarmentLift:
    """An official of the buyer's jurisdiction lifts the debarment of a supplier, with a reason
    (required). The lift covers the grounds in force now (their keys are stored); a ground
    arising later debars the supplier again. Audited on the supplier (its own trail shows it),
    the supplier is told, and each project concerned publishes an OCDS implementation release
    whose party details show the lift."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    current = debarment(organization)
    if not perms.is_official(by):
        raise PermissionDenied(_("Only an official of the buyer may lift a debarment."))
    if not current.debarred:
        raise InvalidTransition(_("This organization is not debarred."))
    require_may_lift(by, organization, current.grounds)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    lift = DebarmentLift.objects.create(
        organization=organization,
        grounds=[g.key for g in current.grounds],
        reason=reason.strip(),
        region_code=current.grounds[0].region_code,
        lifted_by=by,
    )
    audit.record(
        actor=by,
        action="procurement.debarment_lifted",
        target=organization,
        organization_id=organization.pk,
        region_code=lift.region_code,
        reason=lift.reason,
        data={"grounds": lift.grounds},
    )
    for project in Project.objects.filter(
        pk__in=sorted({g.project_id for g in current.grounds})
    ).order_by("pk"):
        ocds.publish_release(project, ["implementation"])
    notify(
        title=lambda: _("Debarment lifted: %(name)s") % {"name": organization.name},
        body=lift.reason,
        link=f"/procurement-suppliers/{organization.pk}/",
        level="blue",
        audience={"organizations": [organization.pk]},
        actor=by,
        kind="approval",
    )
    return lift
