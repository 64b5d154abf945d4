"""Deployment filings (报备): organizations file before entering an area; officials approve or
hold; organizations report arrival and withdraw. Area capacity holds filings automatically."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from coordination import permissions as cperms
from coordination.models import Deployment, Incident
from coordination.services import alerting
from coordination.services.incidents import validate_region
from core import audit, regions, text, validators
from core.states import Conflict, InvalidTransition, check_transition
from registry.choices import Specialty
from registry.models import Organization
from registry.queries import acting_organization


def _over_capacity(incident: Incident, area: str, headcount: int, exclude_pk=None) -> str:
    """The reason this filing would exceed the area's capacity, or "" if it fits."""
    limits = incident.capacity_for(area)
    if not limits:
        return ""
    occupying = Deployment.objects.filter(
        incident=incident, area_region_code=area, status__in=Deployment.OCCUPYING
    )
    if exclude_pk:
        occupying = occupying.exclude(pk=exclude_pk)
    totals = occupying.aggregate(teams=Count("id"), people=Sum("headcount"))
    teams, people = totals["teams"] or 0, totals["people"] or 0
    max_teams, max_people = limits.get("max_teams"), limits.get("max_people")
    if max_teams is not None and teams + 1 > max_teams:
        return _("Area %(area)s is at capacity: %(teams)s of %(max)s teams already approved.") % {
            "area": area,
            "teams": teams,
            "max": max_teams,
        }
    if max_people is not None and people + headcount > max_people:
        return _(
            "Area %(area)s is at capacity: %(people)s of %(max)s people already approved; "
            "this filing brings %(headcount)s more."
        ) % {"area": area, "people": people, "max": max_people, "headcount": headcount}
    return ""


def file_deployment(
    *,
    incident: Incident,
    by: Any,
    organization: int | str | Organization | None = None,
    headcount: int,
    area_region_code: str,
    arrival_at: datetime,
    leader_name: str,
    leader_phone: str = "",
    specialties: list[str] | None = None,
    vehicles: int = 0,
    self_sufficiency_days: int = 0,
) -> Deployment:
    """A verified organization the user acts for (``acting_organization``: the one named, or
    the user's only one) files before entering the area. A filing that would exceed the area's
    capacity is held at once with the reason; the rest wait for an official."""
    organization = acting_organization(by, organization)
    specialties = list(specialties or [])
    unknown = [s for s in specialties if s not in Specialty.values]
    if unknown:
        raise ValidationError({"specialties": [_("Unknown specialty: %s") % ", ".join(unknown)]})
    if headcount is None or headcount < 1:
        raise ValidationError({"headcount": [_("The headcount must be at least 1.")]})
    validate_region(area_region_code, "area_region_code")
    if not regions.covers(incident.region_code, area_region_code):
        raise ValidationError(
            {"area_region_code": [_("The area must lie in the incident's region.")]}
        )
    validators.check("arrival_at", validators.plan, arrival_at)
    leader_name = text.check_name("leader_name", leader_name)
    with transaction.atomic():
        # The incident row lock serializes capacity decisions for its areas.
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status == Incident.Status.CLOSED:
            raise InvalidTransition(_("The incident is closed."))
        if Deployment.objects.filter(
            incident=incident,
            organization=organization,
            area_region_code=area_region_code,
            status__in=Deployment.OPEN,
        ).exists():
            raise Conflict(_("Your organization already has an open filing for this area."))
        reason = _over_capacity(incident, area_region_code, headcount)
        deployment = Deployment.objects.create(
            incident=incident,
            organization=organization,
            headcount=headcount,
            specialties=specialties,
            vehicles=vehicles,
            area_region_code=area_region_code,
            arrival_at=arrival_at,
            leader_name=leader_name,
            leader_phone=leader_phone,
            self_sufficiency_days=self_sufficiency_days,
            status=Deployment.Status.HELD if reason else Deployment.Status.FILED,
            status_reason=reason,
            filed_by=by,
        )
        audit.record(
            actor=by,
            action="deployment.filed",
            target=deployment,
            organization_id=organization.pk,
            region_code=area_region_code,
            to_status=deployment.status,
            reason=reason,
            data={"headcount": headcount, "area": area_region_code},
        )
        alerting.tell_officials(
            incident=incident,
            title=_("%(org)s filed to deploy %(n)s people to %(area)s")
            % {"org": organization.name, "n": headcount, "area": area_region_code},
            body=reason,
            actor=by,
        )
        if reason:
            alerting.tell_organizations(
                incident=incident,
                organization_ids=[organization.pk],
                title=_("Your filing is held: the area is at capacity"),
                body=reason,
                actor=by,
            )
    return deployment


def _move(
    *, deployment: Deployment, by: Any, target: str, official: bool, reason: str = ""
) -> Deployment:
    incident = deployment.incident
    # Callers look the filing up among those visible to the user (404 otherwise).
    if official and not cperms.is_official_for(by, incident.region_code):
        raise PermissionDenied(_("Only an official with jurisdiction may do this."))
    if not official:
        try:  # the filing organization, whatever its status now (it may withdraw when suspended)
            acting_organization(by, deployment.organization_id, verified=False)
        except PermissionDenied:
            raise PermissionDenied(_("Only the filing organization may do this.")) from None
    with transaction.atomic():
        # Lock the incident first (fixed order: incident, then filing) for capacity checks.
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        current = deployment.status
        check_transition(Deployment.TRANSITIONS, current, target, label=_("Deployment filing"))
        if target == Deployment.Status.APPROVED:
            over = _over_capacity(
                incident, deployment.area_region_code, deployment.headcount, deployment.pk
            )
            if over:
                raise Conflict(over)
        deployment.status = target
        deployment.status_reason = reason
        if official:
            deployment.decided_by = by
        deployment.save()
        audit.record(
            actor=by,
            action=f"deployment.{target}",
            target=deployment,
            organization_id=deployment.organization_id,
            region_code=deployment.area_region_code,
            from_status=current,
            to_status=target,
            reason=reason,
        )
        title = _("Filing for %(area)s: %(status)s") % {
            "area": deployment.area_region_code,
            "status": Deployment.Status(target).label,
        }
        if official:
            alerting.tell_organizations(
                incident=incident,
                organization_ids=[deployment.organization_id],
                title=title,
                body=reason,
                actor=by,
            )
        else:
            alerting.tell_officials(incident=incident, title=title, body=reason, actor=by)
    return deployment


def approve_deployment(*, deployment: Deployment, by: Any) -> Deployment:
    """An official with jurisdiction approves a filing, unless the area is at capacity."""
    return _move(deployment=deployment, by=by, target=Deployment.Status.APPROVED, official=True)


def hold_deployment(*, deployment: Deployment, by: Any, reason: str) -> Deployment:
    """An official holds a filing (the team must not enter yet); the reason is required."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Holding a filing needs a reason.")]})
    return _move(
        deployment=deployment, by=by, target=Deployment.Status.HELD, official=True, reason=reason
    )


def arrive_deployment(*, deployment: Deployment, by: Any) -> Deployment:
    """The organization reports it has arrived; only an approved filing may arrive."""
    return _move(deployment=deployment, by=by, target=Deployment.Status.ARRIVED, official=False)


def withdraw_deployment(*, deployment: Deployment, by: Any, reason: str = "") -> Deployment:
    """The organization withdraws its filing or leaves the area."""
    return _move(
        deployment=deployment,
        by=by,
        target=Deployment.Status.WITHDRAWN,
        official=False,
        reason=reason,
    )
